{{ config(materialized=incremental_materialization()) }}
-- Incremental by session (strategy and key: folder defaults in dbt_project.yml): a build
-- re-reads every event of each session that new lines touched (macros/incremental.sql) and
-- replaces its rows whole.
-- One row per session: who it belongs to and where the user came from. Only session_started and
-- session_ended carry userId; the first one sent wins, in event order (timestamp, file, line).
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

sessions as (
    select distinct session_id
    from events
),

user_id_reports as (
    select
        session_id,
        user_id,
        occurred_at,
        source_file,
        line_number
    from session_started
    where user_id is not null

    union all

    select
        session_id,
        user_id,
        occurred_at,
        source_file,
        line_number
    from session_ended
    where user_id is not null
),

user_id_reports_ranked as (
    select
        session_id,
        user_id,
        row_number() over (
            partition by session_id
            order by occurred_at, source_file, line_number
        ) as report_rank
    from user_id_reports
),

first_user_ids as (
    select
        session_id,
        user_id
    from user_id_reports_ranked
    where report_rank = 1
),

-- the referrer of the first session_started, even when that one sent none: a later start in
-- the same session is a re-open, not the way the user arrived
session_starts_ranked as (
    select
        session_id,
        referrer,
        row_number() over (
            partition by session_id
            order by occurred_at, source_file, line_number
        ) as start_rank
    from session_started
),

first_referrers as (
    select
        session_id,
        referrer
    from session_starts_ranked
    where start_rank = 1
),

final as (
    select
        sessions.session_id,
        first_user_ids.user_id,
        first_referrers.referrer
    from sessions
    left join first_user_ids
        on sessions.session_id = first_user_ids.session_id
    left join first_referrers
        on sessions.session_id = first_referrers.session_id
)

select
    *,
    {{ batch_at() }} as _batch_at
from final
