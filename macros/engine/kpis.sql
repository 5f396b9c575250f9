{#- KPI arithmetic whose spelling differs between engines. -#}

{#- the first day (a date) of the UTC calendar period `grain` ('day', 'week' or 'month') that
    contains `timestamp_expr`. Weeks are ISO weeks: they start on Monday. -#}
{% macro period_start(grain, timestamp_expr) -%}
    {{ return(adapter.dispatch('period_start', 'workbench')(grain, timestamp_expr)) }}
{%- endmacro %}

{#- One body for both engines: DuckDB's 'week' part is the ISO week and Spark's 'week' truncation
    also lands on Monday. An engine that differs adds its own <adapter>__period_start. -#}
{% macro default__period_start(grain, timestamp_expr) -%}
    {%- if grain not in ['day', 'week', 'month'] -%}
        {{ exceptions.raise_compiler_error("period_start: grain must be day, week or month, not " ~ grain) }}
    {%- endif -%}
    cast(date_trunc('{{ grain }}', {{ timestamp_expr }}) as date)
{%- endmacro %}

{#- the last day (a date, inclusive) of the UTC calendar period `grain` that starts on the date
    `start_expr` (as period_start gives it). -#}
{% macro period_end(grain, start_expr) -%}
    {%- if grain not in ['day', 'week', 'month'] -%}
        {{ exceptions.raise_compiler_error("period_end: grain must be day, week or month, not " ~ grain) }}
    {%- endif -%}
    {{ return(adapter.dispatch('period_end', 'workbench')(grain, start_expr)) }}
{%- endmacro %}

{% macro duckdb__period_end(grain, start_expr) -%}
    {#- date + interval is a timestamp in DuckDB: cast back to a date. -#}
    cast({{ start_expr }} + interval 1 {{ grain }} - interval 1 day as date)
{%- endmacro %}

{% macro spark__period_end(grain, start_expr) -%}
    {%- if grain == 'day' -%}
        {{ start_expr }}
    {%- elif grain == 'week' -%}
        date_add({{ start_expr }}, 6)
    {%- else -%}
        last_day({{ start_expr }})
    {%- endif -%}
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
