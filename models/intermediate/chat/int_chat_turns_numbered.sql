{{ config(materialized=incremental_materialization()) }}
-- Incremental by session (strategy and key: folder defaults in dbt_project.yml): a build
-- re-reads every event of each session that new lines touched (macros/incremental.sql) and
-- replaces its rows whole.
-- One row per chat message with its turn number in the session. The numbering lives here once,
-- so attribution and the mart cannot disagree on which message is turn k.
with

chat_messages as (
    select * from {{ ref('stg_workbench__chat_message_sent') }}
    where {{ in_touched_sessions() }}
),

numbered as (
    select
        event_id as turn_id,
        session_id,
        occurred_at as sent_at,
        source_file,
        line_number,
        message_length,
        has_attachment,
        -- event_id only breaks ties that event order leaves open, so the numbering is deterministic.
        -- Cast: some engines (Spark) number rows as int, the specification says bigint.
        cast(row_number() over (
            partition by session_id
            order by occurred_at, source_file, line_number, event_id
        ) as bigint) as turn_number
    from chat_messages
),

final as (
    select * from numbered
)

select
    *,
    {{ batch_at() }} as _batch_at
from final
