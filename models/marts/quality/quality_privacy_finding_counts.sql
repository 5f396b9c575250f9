-- One row per (file, event, property, finding): how many kept events of the file had that
-- property finding, from audit.privacy_findings (which names the events), dated by the file's `date=`
-- folder.
with

privacy_findings as (
    select * from {{ ref('privacy_findings') }}
),

final as (
    select
        {{ path_partition_date('source_file') }} as file_date,
        source_file,
        event_name,
        property_key,
        finding,
        count(*) as events
    from privacy_findings
    group by source_file, event_name, property_key, finding
)

select * from final
