{{ config(materialized=incremental_materialization()) }}
-- Incremental by session (strategy and key: folder defaults in dbt_project.yml): a build
-- re-reads every event of each session that new lines touched (macros/incremental.sql) and
-- replaces its rows whole.
-- One row per template_suggested / chat_tool_invoked event with the chat turn it belongs to:
-- the latest message of its session sent at or before it (among messages sent at the same
-- instant, the last in file/line order). Events before the session's first message get no turn.
with

chat_turns as (
    select * from {{ ref('int_chat_turns_numbered') }}
    where {{ in_touched_sessions() }}
),

template_suggestions as (
    select * from {{ ref('stg_workbench__template_suggested') }}
    where {{ in_touched_sessions() }}
),

tool_invocations as (
    select * from {{ ref('stg_workbench__chat_tool_invoked') }}
    where {{ in_touched_sessions() }}
),

turn_events as (
    select
        event_id,
        'template_suggested' as turn_event_type,
        session_id,
        occurred_at,
        source_file,
        line_number
    from template_suggestions

    union all

    select
        event_id,
        'chat_tool_invoked' as turn_event_type,
        session_id,
        occurred_at,
        source_file,
        line_number
    from tool_invocations
),

-- Messages and turn events in one stream per session. At an equal timestamp a message sorts
-- before every turn event whatever their file/line, because "sent at or before" compares times.
session_stream as (
    select
        session_id,
        sent_at as occurred_at,
        0 as stream_rank,
        source_file,
        line_number,
        turn_number,
        cast(null as string) as event_id,
        cast(null as string) as turn_event_type
    from chat_turns

    union all

    select
        session_id,
        occurred_at,
        1 as stream_rank,
        source_file,
        line_number,
        cast(null as bigint) as turn_number,
        event_id,
        turn_event_type
    from turn_events
),

-- Turn numbers grow with sent_at and, at one instant, with file/line, so the running maximum over
-- everything at or before an event is the number of its turn: the last message of the latest
-- instant. Null when no message came before. Ties among events do not matter: they add nothing.
latest_turns as (
    select
        session_id,
        event_id,
        turn_event_type,
        occurred_at,
        source_file,
        line_number,
        max(turn_number) over (
            partition by session_id
            order by occurred_at, stream_rank
            rows between unbounded preceding and current row
        ) as turn_number
    from session_stream
),

attributed as (
    select
        latest_turns.event_id,
        latest_turns.turn_event_type,
        latest_turns.session_id,
        latest_turns.occurred_at,
        latest_turns.source_file,
        latest_turns.line_number,
        chat_turns.turn_id,
        latest_turns.turn_number
    from latest_turns
    left join chat_turns
        on
            latest_turns.session_id = chat_turns.session_id
            and latest_turns.turn_number = chat_turns.turn_number
    where latest_turns.event_id is not null
),

final as (
    select * from attributed
)

select
    *,
    {{ batch_at() }} as _batch_at
from final
