-- One row per kept `workbench.workflow_run_completed` event, with its properties typed.
with

events as (
    select * from {{ ref('stg_workbench__events') }}
    where event_name = 'workbench.workflow_run_completed'
),

final as (
    select
        event_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        {{ event_property('runId', 'id') }} as run_id,
        {{ event_property('status', 'enum') }} as status,
        {{ event_property('durationMs', 'count') }} as duration_ms,
        {{ event_property('draftId', 'id') }} as draft_id
    from events
)

select * from final
