{#- KPI arithmetic whose spelling differs between engines. -#}

{#- the first day (a date) of the UTC calendar period `grain` ('day', 'week' or 'month') that
    contains `timestamp_expr`. Weeks are ISO weeks: they start on Monday. -#}
{% macro period_start(grain, timestamp_expr) -%}
    {{ return(adapter.dispatch('period_start', 'workbench')(grain, timestamp_expr)) }}
{%- endmacro %}

{% macro duckdb__period_start(grain, timestamp_expr) -%}
    {%- if grain not in ['day', 'week', 'month'] -%}
        {{ exceptions.raise_compiler_error("period_start: grain must be day, week or month, not " ~ grain) }}
    {%- endif -%}
    {#- DuckDB's 'week' part is the ISO week, so truncation lands on Monday. -#}
    cast(date_trunc('{{ grain }}', {{ timestamp_expr }}) as date)
{%- endmacro %}

{% macro spark__period_start(grain, timestamp_expr) -%}
    {%- if grain not in ['day', 'week', 'month'] -%}
        {{ exceptions.raise_compiler_error("period_start: grain must be day, week or month, not " ~ grain) }}
    {%- endif -%}
    {#- Spark's 'week' truncation also lands on Monday. -#}
    cast(date_trunc('{{ grain }}', {{ timestamp_expr }}) as date)
{%- endmacro %}

{#- the median of a group's non-null values, interpolated between the two middle values when
    the count is even (quantile_cont 0.5), as a double. -#}
{% macro median_interpolated(value_expr) -%}
    {{ return(adapter.dispatch('median_interpolated', 'workbench')(value_expr)) }}
{%- endmacro %}

{% macro duckdb__median_interpolated(value_expr) -%}
    quantile_cont(cast({{ value_expr }} as double), 0.5)
{%- endmacro %}

{% macro spark__median_interpolated(value_expr) -%}
    {#- Spark's percentile is exact and interpolates between the two middle values. -#}
    percentile(cast({{ value_expr }} as double), 0.5)
{%- endmacro %}
