{{ config(materialized=incremental_materialization()) }}
-- Incremental by session (strategy and key: folder defaults in dbt_project.yml): a build
-- re-reads every event of each session that new lines touched (macros/incremental.sql) and
-- replaces its rows whole.
-- One row per session seen in any kept event, with its bounds, activity, attribution and event
-- counts side by side: everything marts.dim_sessions publishes.
with

sessions_bounded as (
    select * from {{ ref('int_sessions_bounded') }}
    where {{ in_touched_sessions() }}
),

sessions_segmented as (
    select * from {{ ref('int_sessions_segmented') }}
    where {{ in_touched_sessions() }}
),

sessions_attributed as (
    select * from {{ ref('int_sessions_attributed') }}
    where {{ in_touched_sessions() }}
),

sessions_counted as (
    select * from {{ ref('int_sessions_counted') }}
    where {{ in_touched_sessions() }}
),

final as (
    select
        sessions_bounded.session_id,
        sessions_bounded.started_at,
        sessions_bounded.ended_at,
        sessions_bounded.is_start_inferred,
        sessions_bounded.is_end_inferred,
        sessions_bounded.duration_ms,
        sessions_bounded.reported_duration_ms,
        sessions_segmented.active_duration_ms,
        sessions_segmented.activity_segments,
        sessions_attributed.user_id,
        sessions_attributed.referrer,
        sessions_counted.events,
        sessions_counted.chat_messages,
        sessions_counted.template_suggestions,
        sessions_counted.drafts_created,
        sessions_counted.drafts_accepted,
        sessions_counted.templates_inserted,
        sessions_counted.runs_started,
        sessions_counted.approvals_requested
    from sessions_bounded
    inner join sessions_segmented
        on sessions_bounded.session_id = sessions_segmented.session_id
    inner join sessions_attributed
        on sessions_bounded.session_id = sessions_attributed.session_id
    inner join sessions_counted
        on sessions_bounded.session_id = sessions_counted.session_id
)

select
    *,
    {{ batch_at() }} as _batch_at
from final
