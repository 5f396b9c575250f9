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

{#- `separator`-joined, sorted list of a group's non-null texts; null when there are none. -#}
{% macro sorted_string_agg(text_expr, separator) -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'workbench')(text_expr, separator)) }}
{%- endmacro %}

{% macro duckdb__sorted_string_agg(text_expr, separator) -%}
    {#- A plain list aggregate shares one hash aggregation with the query's other aggregates; an
        ordered DISTINCT string_agg would get a pass of its own. -#}
    nullif(array_to_string(list_sort(list({{ text_expr }})), '{{ separator }}'), '')
{%- endmacro %}
