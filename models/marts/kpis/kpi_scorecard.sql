-- One row per (period_grain, period_start, kpi_name): the four persona KPIs of
-- docs/specification.md, 'KPI definitions' for every UTC day, ISO week (Monday) and month in which
-- the KPI's population is not empty. Each period is aggregated from its own population rows, never
-- from smaller periods' results (a median, and a ratio, of a week is not a combination of its
-- days').
{%- set adoption_configured = workflow_creations_configured() %}
{%- set baseline_override = var('manual_workflow_creation_baseline_seconds') %}
{%- if baseline_override is not none
    and not modules.re.fullmatch('[0-9]+([.][0-9]+)?', baseline_override | string | trim) %}
    {{ exceptions.raise_compiler_error(
        "manual_workflow_creation_baseline_seconds = <" ~ baseline_override ~ "> is not a number of "
        ~ "seconds. Pass a positive number, e.g. --vars '{manual_workflow_creation_baseline_seconds: 1500}', "
        ~ "or leave it null to use seed kpi_baselines."
    ) }}
{%- endif %}
{%- set min_sample_size = var('kpi_min_sample_size') %}
{%- if not modules.re.fullmatch('[1-9][0-9]*', min_sample_size | string | trim) %}
    {{ exceptions.raise_compiler_error(
        "kpi_min_sample_size = <" ~ min_sample_size ~ "> is not a whole number of at least 1. "
        ~ "Pass one, e.g. --vars '{kpi_min_sample_size: 30}' (dbt_project.yml sets the default)."
    ) }}
{%- endif %}

with

observations as (
    select * from {{ ref('int_kpi_observations_unioned') }}
),

kpi_targets as (
    select * from {{ ref('kpi_targets') }}
),

kpi_baselines as (
    select * from {{ ref('kpi_baselines') }}
),

-- The dbt var, when set, overrides the seed (docs/specification.md, 'Settings'). A missing or
-- non-positive baseline stops the build: the KPI would be meaningless.
baseline as (
    select
        {% if baseline_override is not none -%}
            cast({{ baseline_override | string | trim }} as double)
        {%- else -%}
            max(case when baseline_name = 'manual_workflow_creation' then value_seconds end)
        {%- endif %} as configured_seconds
    from kpi_baselines
),

checked_baseline as (
    select
        case
            when configured_seconds > 0 then configured_seconds
            else {{ raise_sql_error(
                "'The manual workflow-creation baseline is missing or not positive: add a row "
                ~ "manual_workflow_creation with value_seconds > 0 to seed kpi_baselines, or set "
                ~ "the var manual_workflow_creation_baseline_seconds.'"
            ) }}
        end as baseline_seconds
    from baseline
),

-- The UTC days the data covers: from the first day with any KPI observation to the day before the
-- latest one. The latest day is taken as partly loaded (a nightly build reads the current day's
-- first hours), so a period that ends on it is not complete yet.
coverage as (
    select
        min({{ period_start('day', 'observed_at') }}) as first_day,
        max({{ period_start('day', 'observed_at') }}) as latest_day
    from observations
),

-- Every population row once per grain: each period is aggregated from its own rows.
periodized as (
    select
        'day' as period_grain,
        {{ period_start('day', 'observed_at') }} as period_start,
        kpi_name,
        is_in_numerator,
        measure_seconds
    from observations
    union all
    select
        'week' as period_grain,
        {{ period_start('week', 'observed_at') }} as period_start,
        kpi_name,
        is_in_numerator,
        measure_seconds
    from observations
    union all
    select
        'month' as period_grain,
        {{ period_start('month', 'observed_at') }} as period_start,
        kpi_name,
        is_in_numerator,
        measure_seconds
    from observations
),

aggregated as (
    select
        period_grain,
        period_start,
        kpi_name,
        count(*) as population_rows,
        count(case when is_in_numerator then 1 end) as numerator_rows,
        {{ median_interpolated('measure_seconds') }} as median_seconds
    from periodized
    group by period_grain, period_start, kpi_name
),

measured as (
    select
        aggregated.period_grain,
        aggregated.period_start,
        aggregated.kpi_name,
        case
            when aggregated.kpi_name = 'time_to_create_workflow' then aggregated.median_seconds
            else cast(aggregated.numerator_rows as double)
        end as numerator,
        case
            when aggregated.kpi_name = 'time_to_create_workflow' then checked_baseline.baseline_seconds
            {%- if not adoption_configured %}
            -- workflow_creations_glob is '': the other channels are unknown (docs/specification.md,
            -- 'KPI definitions').
            when aggregated.kpi_name = 'workbench_adoption' then cast(null as double)
            {%- endif %}
            else cast(aggregated.population_rows as double)
        end as denominator,
        aggregated.population_rows as sample_size
    from aggregated
    cross join checked_baseline
),

valued as (
    select
        *,
        case
            when kpi_name = 'time_to_create_workflow' then numerator / denominator - 1
            else numerator / denominator
        end as value
    from measured
),

bounded as (
    select
        valued.*,
        case valued.period_grain
            when 'day' then {{ period_end('day', 'valued.period_start') }}
            when 'week' then {{ period_end('week', 'valued.period_start') }}
            when 'month' then {{ period_end('month', 'valued.period_start') }}
        end as period_end
    from valued
),

final as (
    select
        bounded.period_grain,
        bounded.period_start,
        bounded.kpi_name,
        kpi_targets.persona,
        bounded.numerator,
        bounded.denominator,
        bounded.value,
        kpi_targets.target_value,
        kpi_targets.comparison,
        case
            when kpi_targets.comparison = '>=' then bounded.value >= kpi_targets.target_value
            when kpi_targets.comparison = '<=' then bounded.value <= kpi_targets.target_value
        end as meets_target,
        bounded.sample_size,
        bounded.period_end,
        bounded.period_start >= coverage.first_day
        and bounded.period_end < coverage.latest_day as is_complete_period,
        bounded.sample_size < {{ min_sample_size | string | trim }} as is_small_sample
    from bounded
    cross join coverage
    left join kpi_targets
        on bounded.kpi_name = kpi_targets.kpi_name
)

select * from final
