{#- Text helpers whose spelling differs between engines. -#}

{#- Contract section 3: "trimmed" means without leading and trailing spaces, tabs and carriage
    returns (not every Unicode space). -#}
{% macro trim_blank(text_expr) -%}
    {{ return(adapter.dispatch('trim_blank', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__trim_blank(text_expr) -%}
    {#- Almost no value needs trimming; testing the ends first is several times faster. -#}
    case
        when
            left({{ text_expr }}, 1) in (chr(32), chr(9), chr(13))
            or right({{ text_expr }}, 1) in (chr(32), chr(9), chr(13))
            then trim({{ text_expr }}, chr(32) || chr(9) || chr(13))
        else {{ text_expr }}
    end
{%- endmacro %}

{% macro spark__trim_blank(text_expr) -%}
    trim(both ' \t\r' from {{ text_expr }})
{%- endmacro %}

{% macro md5_hex(text_expr) -%}
    {{ return(adapter.dispatch('md5_hex', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro default__md5_hex(text_expr) -%}
    md5({{ text_expr }})
{%- endmacro %}

{#- true when `text_expr` is one of the `|`-separated values in `allowed_expr`. -#}
{% macro in_pipe_list(text_expr, allowed_expr) -%}
    {{ return(adapter.dispatch('in_pipe_list', 'workbench')(text_expr, allowed_expr)) }}
{%- endmacro %}

{% macro duckdb__in_pipe_list(text_expr, allowed_expr) -%}
    list_contains(string_split({{ allowed_expr }}, '|'), {{ text_expr }})
{%- endmacro %}

{% macro spark__in_pipe_list(text_expr, allowed_expr) -%}
    array_contains(split({{ allowed_expr }}, '[|]'), {{ text_expr }})
{%- endmacro %}

{#- `separator`-joined, sorted list of a group's non-null texts; null when there are none. -#}
{% macro sorted_string_agg(text_expr, separator) -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'workbench')(text_expr, separator)) }}
{%- endmacro %}

{% macro duckdb__sorted_string_agg(text_expr, separator) -%}
    {#- A plain list aggregate shares one hash aggregation with the query's other aggregates; an
        ordered DISTINCT string_agg would get a pass of its own. -#}
    nullif(array_to_string(list_sort(list({{ text_expr }})), '{{ separator }}'), '')
{%- endmacro %}

{% macro spark__sorted_string_agg(text_expr, separator) -%}
    nullif(array_join(array_sort(collect_list({{ text_expr }})), '{{ separator }}'), '')
{%- endmacro %}

{#- one row per `separator`-separated part of `text_expr` (a single character); for a select
    list. -#}
{% macro split_to_rows(text_expr, separator) -%}
    {{ return(adapter.dispatch('split_to_rows', 'workbench')(text_expr, separator)) }}
{%- endmacro %}

{% macro duckdb__split_to_rows(text_expr, separator) -%}
    unnest(string_split({{ text_expr }}, '{{ separator }}'))
{%- endmacro %}

{% macro spark__split_to_rows(text_expr, separator) -%}
    {#- Spark's split takes a regex: a one-character class matches the character itself. -#}
    explode(split({{ text_expr }}, '[{{ separator }}]'))
{%- endmacro %}

{#- a group's non-null values as a list (array). -#}
{% macro list_agg(value_expr) -%}
    {{ return(adapter.dispatch('list_agg', 'workbench')(value_expr)) }}
{%- endmacro %}

{% macro duckdb__list_agg(value_expr) -%}
    list({{ value_expr }}) filter (where {{ value_expr }} is not null)
{%- endmacro %}

{% macro spark__list_agg(value_expr) -%}
    collect_list({{ value_expr }})
{%- endmacro %}
