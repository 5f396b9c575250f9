-- One row per other-channel workflow-creation CSV row left out because it has no workflow_id or
-- no parseable created_at (docs/specification.md, 'KPI definitions'). Workbench-made rows are not
-- rejects: they are ignored by design, whatever their other fields hold.
with

csv_rows as (
    select * from {{ ref('stg_workflow_creations__rows') }}
),

final as (
    select
        source_file,
        row_number,
        reasons,
        raw_workflow_id,
        raw_created_at,
        raw_creation_source
    from csv_rows
    where row_outcome = 'rejected'
)

select * from final
