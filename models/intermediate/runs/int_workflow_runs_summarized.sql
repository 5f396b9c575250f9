{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='run_id',
    pre_hook="{{ delete_named_since_last_build('run_id', run_events()) }}",
) }}
-- One row per workflow run: its earliest start and earliest completion (docs/specification.md,
-- 'Public tables', fct_workflow_runs). A run whose start was never received still gets a row from
-- its completion.
-- Incremental by run: a build summarizes again, from all their events, the runs that lines judged
-- or re-decided since its last build name (a copy demoted by a later file keeps its values, so
-- the run it no longer names is found too); its pre-hook deletes their rows first, so a run that
-- no event names any more disappears.
with

workflow_run_started as (
    select * from {{ ref('stg_workbench__workflow_run_started') }}
    where {{ named_since_last_build('run_id', events=run_events()) }}
),

workflow_run_completed as (
    select * from {{ ref('stg_workbench__workflow_run_completed') }}
    where {{ named_since_last_build('run_id', events=run_events()) }}
),

runs as (
    select run_id from workflow_run_started
    union
    select run_id from workflow_run_completed
),

starts_ranked as (
    select
        run_id,
        draft_id,
        session_id,
        occurred_at,
        row_number() over (
            partition by run_id
            order by occurred_at, source_file, line_number
        ) as start_rank
    from workflow_run_started
),

earliest_starts as (
    select
        run_id,
        draft_id,
        session_id,
        occurred_at as started_at
    from starts_ranked
    where start_rank = 1
),

completions_ranked as (
    select
        run_id,
        draft_id,
        session_id,
        occurred_at,
        status,
        duration_ms,
        row_number() over (
            partition by run_id
            order by occurred_at, source_file, line_number
        ) as completion_rank
    from workflow_run_completed
),

-- A later completion of the same run (a retry or a resend) does not change its outcome.
earliest_completions as (
    select
        run_id,
        draft_id,
        session_id,
        occurred_at as completed_at,
        status,
        duration_ms
    from completions_ranked
    where completion_rank = 1
),

final as (
    select
        runs.run_id,
        case
            when earliest_starts.run_id is not null then earliest_starts.draft_id
            else earliest_completions.draft_id
        end as draft_id,
        case
            when earliest_starts.run_id is not null then earliest_starts.session_id
            else earliest_completions.session_id
        end as session_id,
        earliest_starts.started_at,
        earliest_completions.completed_at,
        coalesce(earliest_completions.status, 'running') as status,
        coalesce(
            earliest_completions.duration_ms,
            case
                when
                    {{ ms_between('earliest_starts.started_at', 'earliest_completions.completed_at') }} >= 0
                    then {{ ms_between('earliest_starts.started_at', 'earliest_completions.completed_at') }}
            end
        ) as duration_ms
    from runs
    left join earliest_starts
        on runs.run_id = earliest_starts.run_id
    left join earliest_completions
        on runs.run_id = earliest_completions.run_id
)

select
    *,
    {{ batch_at() }} as _batch_at
from final
