-- One row per draft with a measured time to accept (the time_to_create_workflow population of
-- docs/specification.md, 'KPI definitions'), carrying the manual baseline on every row. MetricFlow
-- metrics cannot read a dbt var or a seed at query time; a baseline measure over these same rows
-- has a value in exactly the periods the median has one, so the derived metric (median /
-- baseline - 1) has the scorecard's periods and no others.
with

drafts as (
    select * from {{ ref('fct_drafts') }}
),

kpi_scorecard as (
    select * from {{ ref('kpi_scorecard') }}
),

-- The baseline the scorecard used (var manual_workflow_creation_baseline_seconds, else seed
-- kpi_baselines; the scorecard stops the build when it is missing or not positive). Reading it
-- from there keeps one definition of the override rule.
baseline as (
    select max(denominator) as manual_baseline_seconds
    from kpi_scorecard
    where kpi_name = 'time_to_create_workflow'
),

timed_drafts as (
    select
        draft_id,
        first_accepted_at,
        time_to_accept_ms / 1000.0 as seconds_to_accept
    from drafts
    where
        time_to_accept_ms is not null
        and first_accepted_at is not null
),

final as (
    select
        timed_drafts.draft_id,
        timed_drafts.first_accepted_at,
        cast(timed_drafts.seconds_to_accept as double) as seconds_to_accept,
        baseline.manual_baseline_seconds
    from timed_drafts
    cross join baseline
)

select * from final
