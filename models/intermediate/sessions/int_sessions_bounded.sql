{{ config(materialized=incremental_materialization()) }}
-- Incremental by session (strategy and key: folder defaults in dbt_project.yml): a build
-- re-reads every event of each session that new lines touched (macros/incremental.sql) and
-- replaces its rows whole.
-- One row per session: when it started and ended, and the length the client reported. A session
-- without a session_started (or session_ended) event is bounded by its own earliest (or latest)
-- event instead, and is flagged, so analysts can leave inferred bounds out.
with

events as (
    select * from {{ ref('base_workbench__events') }}
    where {{ in_touched_sessions() }}
),

session_started as (
    select * from {{ ref('stg_workbench__session_started') }}
    where {{ in_touched_sessions() }}
),

session_ended as (
    select * from {{ ref('stg_workbench__session_ended') }}
    where {{ in_touched_sessions() }}
),

event_bounds as (
    select
        session_id,
        min(occurred_at) as first_event_at,
        max(occurred_at) as last_event_at
    from events
    group by session_id
),

reported_starts as (
    select
        session_id,
        min(occurred_at) as started_at
    from session_started
    group by session_id
),

reported_ends as (
    select
        session_id,
        max(occurred_at) as ended_at
    from session_ended
    group by session_id
),

-- A session_ended without durationMs (or with an invalid one) reports nothing, so it does not
-- hide an earlier report.
reported_durations_ranked as (
    select
        session_id,
        duration_ms,
        row_number() over (
            partition by session_id
            order by occurred_at desc, source_file desc, line_number desc
        ) as report_rank
    from session_ended
    where duration_ms is not null
),

latest_reported_durations as (
    select
        session_id,
        duration_ms as reported_duration_ms
    from reported_durations_ranked
    where report_rank = 1
),

bounded as (
    select
        event_bounds.session_id,
        coalesce(reported_starts.started_at, event_bounds.first_event_at) as started_at,
        coalesce(reported_ends.ended_at, event_bounds.last_event_at) as ended_at,
        reported_starts.started_at is null as is_start_inferred,
        reported_ends.ended_at is null as is_end_inferred,
        latest_reported_durations.reported_duration_ms
    from event_bounds
    left join reported_starts
        on event_bounds.session_id = reported_starts.session_id
    left join reported_ends
        on event_bounds.session_id = reported_ends.session_id
    left join latest_reported_durations
        on event_bounds.session_id = latest_reported_durations.session_id
),

final as (
    select
        session_id,
        started_at,
        ended_at,
        is_start_inferred,
        is_end_inferred,
        -- a session_ended logged before its session_started has no meaningful length
        case
            when {{ ms_between('started_at', 'ended_at') }} >= 0
                then {{ ms_between('started_at', 'ended_at') }}
        end as duration_ms,
        reported_duration_ms
    from bounded
)

select
    *,
    {{ batch_at() }} as _batch_at
from final
