-- One row per workflow created outside the workbench (other channel): each workflow_id once,
-- at its earliest created_at. Workbench-made, rejected and repeated rows are left out here and
-- accounted for in stg_workflow_creations__rows.
with

csv_rows as (
    select * from {{ ref('stg_workflow_creations__rows') }}
),

copies as (
    select
        workflow_id,
        count(*) as copies
    from csv_rows
    where row_outcome in ('counted', 'duplicate')
    group by workflow_id
),

final as (
    select
        csv_rows.workflow_id,
        csv_rows.created_at,
        csv_rows.creation_source,
        csv_rows.source_file,
        csv_rows.row_number,
        copies.copies
    from csv_rows
    inner join copies
        on csv_rows.workflow_id = copies.workflow_id
    where csv_rows.row_outcome = 'counted'
)

select * from final
