-- One row per kept `workbench.draft_edited` event, with its properties typed.
with

events as (
    select * from {{ ref('stg_workbench__events') }}
    where event_name = 'workbench.draft_edited'
),

final as (
    select
        event_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        {{ event_property('draftId', 'id') }} as draft_id,
        {{ event_property('editType', 'enum') }} as edit_type,
        {{ event_property('nodeCount', 'count') }} as node_count,
        {{ event_property('intent', 'string') }} as intent
    from events
)

select * from final
