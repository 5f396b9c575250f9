-- One row per source file, as audit.load_reconciliation counts it, dated by the file's `date=`
-- folder so readers can pick a day's files.
with

load_reconciliation as (
    select * from {{ ref('load_reconciliation') }}
),

final as (
    select
        {{ path_partition_date('source_file') }} as file_date,
        source_kind,
        source_file,
        lines_read,
        events_accepted,
        duplicates_dropped,
        events_quarantined,
        workbench_rows_ignored,
        records_read
    from load_reconciliation
)

select * from final
