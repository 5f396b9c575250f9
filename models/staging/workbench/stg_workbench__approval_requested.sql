{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='event_id',
) }}
-- One row per kept `workbench.approval_requested` event, with its properties typed.
with

events as (
    select * from {{ ref('stg_workbench__events') }}
    where
        event_name = 'workbench.approval_requested'
        and {{ is_new_since_last_build() }}
),

final as (
    select
        event_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        _batch_at,
        {{ event_property('toolIds', 'id_list') }} as tool_ids,
        {{ event_property('contextType', 'string') }} as context_type,
        {{ event_property('incidentId', 'id') }} as incident_id,
        {{ event_property('workflowId', 'id') }} as workflow_id,
        {{ event_property('draftId', 'id') }} as draft_id
    from events
)

select * from final
