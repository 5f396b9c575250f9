-- One row per kept `workbench.template_inserted` event, with its properties typed.
with

events as (
    select * from {{ ref('stg_workbench__events') }}
    where event_name = 'workbench.template_inserted'
),

final as (
    select
        event_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        {{ event_property('templateId', 'id') }} as template_id,
        {{ event_property('draftId', 'id') }} as draft_id
    from events
)

select * from final
