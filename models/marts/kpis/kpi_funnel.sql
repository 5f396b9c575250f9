-- One row per (period_grain, period_start, step_number): how many chat turns, created drafts,
-- accepted drafts and completed runs fall in each UTC day, ISO week (Monday) and month. A volume
-- funnel: each stage is counted on its own date, because chat turns are not linked to drafts by
-- id, so no cohort can be followed from the first step to the last. Every stage has a row in
-- every period in which any stage has one (0 when it has none), so a chart or a BI tool never
-- mistakes a missing row for a missing stage.
with

chat_turns as (
    select * from {{ ref('fct_chat_turns') }}
),

drafts as (
    select * from {{ ref('fct_drafts') }}
),

workflow_runs as (
    select * from {{ ref('fct_workflow_runs') }}
),

-- The stages in funnel order; the step number is the order the report and BI tools draw them in.
stages as (
    select
        cast(1 as bigint) as step_number,
        'chat_turns' as stage
    union all
    select
        cast(2 as bigint) as step_number,
        'drafts_created' as stage
    union all
    select
        cast(3 as bigint) as step_number,
        'drafts_accepted' as stage
    union all
    select
        cast(4 as bigint) as step_number,
        'runs_completed' as stage
),

-- One row per member of a stage, at the time it reached the stage. An accepted draft whose
-- creation was never seen is still accepted; a run that failed, was cancelled or is still
-- running has not completed.
stage_members as (
    select
        1 as step_number,
        sent_at as reached_at
    from chat_turns
    union all
    select
        2 as step_number,
        created_at as reached_at
    from drafts
    where created_at is not null
    union all
    select
        3 as step_number,
        first_accepted_at as reached_at
    from drafts
    where is_accepted and first_accepted_at is not null
    union all
    select
        4 as step_number,
        completed_at as reached_at
    from workflow_runs
    where status = 'completed' and completed_at is not null
),

-- Every member once per grain: each period is counted from its own rows.
periodized as (
    select
        'day' as period_grain,
        {{ period_start('day', 'reached_at') }} as period_start,
        step_number
    from stage_members
    union all
    select
        'week' as period_grain,
        {{ period_start('week', 'reached_at') }} as period_start,
        step_number
    from stage_members
    union all
    select
        'month' as period_grain,
        {{ period_start('month', 'reached_at') }} as period_start,
        step_number
    from stage_members
),

counted as (
    select
        period_grain,
        period_start,
        step_number,
        count(*) as member_count
    from periodized
    group by period_grain, period_start, step_number
),

periods as (
    select distinct
        period_grain,
        period_start
    from counted
),

-- Every stage in every period, so a stage nobody reached in a period reads 0, not absent.
filled as (
    select
        periods.period_grain,
        periods.period_start,
        stages.step_number,
        stages.stage,
        coalesce(counted.member_count, 0) as member_count
    from periods
    cross join stages
    left join counted
        on
            periods.period_grain = counted.period_grain
            and periods.period_start = counted.period_start
            and stages.step_number = counted.step_number
),

compared as (
    select
        *,
        lag(member_count) over (
            partition by period_grain, period_start
            order by step_number
        ) as previous_step_count
    from filled
),

final as (
    select
        period_grain,
        period_start,
        case period_grain
            when 'day' then {{ period_end('day', 'period_start') }}
            when 'week' then {{ period_end('week', 'period_start') }}
            when 'month' then {{ period_end('month', 'period_start') }}
        end as period_end,
        step_number,
        stage,
        member_count,
        -- Not a conversion rate: the stages are counted on their own dates, so a period can hold
        -- more accepted drafts than created ones (created the period before). Null on the first
        -- step and when the step before has no member in the period.
        case
            when previous_step_count > 0 then cast(member_count as double) / previous_step_count
        end as ratio_to_previous_step
    from compared
)

select * from final
