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

final as (
    select
        valued.period_grain,
        valued.period_start,
        valued.kpi_name,
        kpi_targets.persona,
        valued.numerator,
        valued.denominator,
        valued.value,
        kpi_targets.target_value,
        kpi_targets.comparison,
        case
            when kpi_targets.comparison = '>=' then valued.value >= kpi_targets.target_value
            when kpi_targets.comparison = '<=' then valued.value <= kpi_targets.target_value
        end as meets_target,
        valued.sample_size
    from valued
    left join kpi_targets
        on valued.kpi_name = kpi_targets.kpi_name
)

select * from final
