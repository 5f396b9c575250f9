-- One row per (file, reason code): how many of the file's lines (or CSV rows) were quarantined
-- with that code, dated by the file's `date=` folder. A line with two codes counts under both.
with

quarantined_events as (
    select * from {{ ref('quarantined_events') }}
),

workflow_creation_rejects as (
    select * from {{ ref('workflow_creation_rejects') }}
),

reason_codes as (
    select
        'raw_events' as source_kind,
        source_file,
        {{ split_to_rows('reasons', ';') }} as reason_code
    from quarantined_events
    union all
    select
        'workflow_creations' as source_kind,
        source_file,
        {{ split_to_rows('reasons', ';') }} as reason_code
    from workflow_creation_rejects
),

final as (
    select
        {{ path_partition_date('source_file') }} as file_date,
        source_kind,
        source_file,
        reason_code,
        count(*) as lines
    from reason_codes
    group by source_kind, source_file, reason_code
)

select * from final
