-- One row per kept `workbench.template_viewed` event, with its properties typed.
with

events as (
    select * from {{ ref('stg_workbench__events') }}
    where event_name = 'workbench.template_viewed'
),

final as (
    select
        event_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        {{ event_property('templateId', 'id') }} as template_id,
        {{ event_property('source', 'string') }} as source
    from events
)

select * from final
