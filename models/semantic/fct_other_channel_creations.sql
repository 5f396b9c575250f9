-- One row per workflow created outside the workbench (another channel), each workflow_id once at
-- its earliest created_at: the other-channel part of the workbench_adoption denominator, as a
-- public table so the semantic layer (and the serving file) can reach it.
with

creations as (
    select * from {{ ref('stg_workflow_creations__creations') }}
),

final as (
    select
        workflow_id,
        created_at,
        creation_source
    from creations
)

select * from final
