-- One row per (file, event, property, issue): how many kept events of the file had that
-- property issue, from audit.property_issues (which names the events), dated by the file's `date=`
-- folder.
with

property_issues as (
    select * from {{ ref('property_issues') }}
),

final as (
    select
        {{ path_partition_date('source_file') }} as file_date,
        source_file,
        event_name,
        property_key,
        issue,
        count(*) as events
    from property_issues
    group by source_file, event_name, property_key, issue
)

select * from final
