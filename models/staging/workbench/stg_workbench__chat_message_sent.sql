-- One row per kept `workbench.chat_message_sent` event, with its properties typed.
with

events as (
    select * from {{ ref('stg_workbench__events') }}
    where event_name = 'workbench.chat_message_sent'
),

final as (
    select
        event_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        {{ event_property('messageLength', 'count') }} as message_length,
        {{ event_property('hasAttachment', 'boolean') }} as has_attachment
    from events
)

select * from final
