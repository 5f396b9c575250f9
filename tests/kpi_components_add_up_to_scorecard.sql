-- Invariants of the KPI marts on any data: every rate is in [0, 1], and the daily components of
-- each day, ISO week and month add up to that period's scorecard row (same numerator,
-- denominator and sample size; time_to_create_workflow, a median, only in sample size). Returns
-- the rows that break one.
with

scorecard as (
    select * from {{ ref('kpi_scorecard') }}
),

components as (
    select * from {{ ref('kpi_daily_components') }}
),

rates_out_of_range as (
    select
        'rate outside [0, 1]' as problem,
        period_grain,
        period_start,
        kpi_name
    from scorecard
    where
        kpi_name <> 'time_to_create_workflow'
        and (value < 0 or value > 1)
),

components_by_period as (
    select
        'day' as period_grain,
        {{ period_start('day', 'observed_date') }} as period_start,
        kpi_name,
        numerator,
        denominator,
        sample_size
    from components
    union all
    select
        'week' as period_grain,
        {{ period_start('week', 'observed_date') }} as period_start,
        kpi_name,
        numerator,
        denominator,
        sample_size
    from components
    union all
    select
        'month' as period_grain,
        {{ period_start('month', 'observed_date') }} as period_start,
        kpi_name,
        numerator,
        denominator,
        sample_size
    from components
),

summed as (
    select
        period_grain,
        period_start,
        kpi_name,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(sample_size) as sample_size
    from components_by_period
    group by period_grain, period_start, kpi_name
),

sums_differ as (
    select
        'components do not add up to the scorecard' as problem,
        coalesce(scorecard.period_grain, summed.period_grain) as period_grain,
        coalesce(scorecard.period_start, summed.period_start) as period_start,
        coalesce(scorecard.kpi_name, summed.kpi_name) as kpi_name
    from scorecard
    full outer join summed
        on
            scorecard.period_grain = summed.period_grain
            and scorecard.period_start = summed.period_start
            and scorecard.kpi_name = summed.kpi_name
    where
        scorecard.sample_size is distinct from summed.sample_size
        or (
            scorecard.kpi_name <> 'time_to_create_workflow'
            and (
                scorecard.numerator is distinct from summed.numerator
                or scorecard.denominator is distinct from summed.denominator
            )
        )
),

final as (
    select * from rates_out_of_range
    union all
    select * from sums_differ
)

select * from final
