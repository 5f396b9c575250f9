{{ config(materialized=incremental_materialization()) }}
-- Incremental by session (strategy and key: folder defaults in dbt_project.yml): a build
-- re-reads every event of each session that new lines touched (macros/incremental.sql) and
-- replaces its rows whole.
{#- The inactivity gap is a user setting (docs/specification.md, 'Settings'); anything but a
    non-negative number would silently change every session, so it stops the build instead. -#}
{%- set inactivity_minutes = var('session_inactivity_minutes') | string | trim -%}
{%- if not modules.re.fullmatch('[0-9]+([.][0-9]+)?', inactivity_minutes) -%}
    {{ exceptions.raise_compiler_error(
        "Setting session_inactivity_minutes = <" ~ inactivity_minutes
        ~ "> must be a non-negative number of minutes, e.g. 30."
    ) }}
{%- endif -%}

-- One row per session: how long the user was active, and in how many stretches. A pause longer
-- than session_inactivity_minutes between two consecutive events counts as inactive time and
-- starts a new activity segment; shorter (or equal) pauses count as active time.
with

events as (
    select * from {{ ref('base_workbench__events') }}
    where {{ in_touched_sessions() }}
),

-- Ordered by time alone: events at one instant are 0 ms apart whichever comes first, so no
-- tie-break can change a gap, and sorting on the timestamp only halved this model's time at 10M
-- events (4.7 s to 2.5 s).
events_with_previous as (
    select
        session_id,
        occurred_at,
        lag(occurred_at) over (
            partition by session_id
            order by occurred_at
        ) as previous_occurred_at
    from events
),

-- the first event of a session has no gap (null): it neither adds time nor splits a segment
event_gaps as (
    select
        session_id,
        {{ ms_between('previous_occurred_at', 'occurred_at') }} as gap_ms
    from events_with_previous
),

classified_gaps as (
    select
        session_id,
        gap_ms,
        gap_ms <= {{ inactivity_minutes }} * 60000 as is_active_gap
    from event_gaps
),

final as (
    select
        session_id,
        cast(coalesce(sum(case when is_active_gap then gap_ms end), 0) as bigint) as active_duration_ms,
        1 + count(case when not is_active_gap then 1 end) as activity_segments
    from classified_gaps
    group by session_id
)

select
    *,
    {{ batch_at() }} as _batch_at
from final
