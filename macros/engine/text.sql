{#- Text helpers whose spelling differs between engines. -#}

{#- docs/specification.md, 'Bad input and reason codes': "trimmed" means without leading and
    trailing spaces, tabs and carriage returns (not every Unicode space). -#}
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

{#- true when the text is empty or only spaces, tabs and carriage returns. -#}
{% macro is_blank(text_expr) -%}
    {{ return(adapter.dispatch('is_blank', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__is_blank(text_expr) -%}
    {#- A blank text starts with a blank: only those are trimmed. -#}
    (
        {{ text_expr }} = ''
        or (
            left({{ text_expr }}, 1) in (chr(32), chr(9), chr(13))
            and trim({{ text_expr }}, chr(32) || chr(9) || chr(13)) = ''
        )
    )
{%- endmacro %}

{% macro spark__is_blank(text_expr) -%}
    (trim(both ' \t\r' from {{ text_expr }}) = '')
{%- endmacro %}

{% macro md5_hex(text_expr) -%}
    {{ return(adapter.dispatch('md5_hex', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro default__md5_hex(text_expr) -%}
    md5({{ text_expr }})
{%- endmacro %}

{#- A 64-bit hash of the values of `exprs` (a list of SQL expressions), null and position
    included: equal values always give equal hashes. Only a shortcut for comparing many columns
    at once; a caller treats a null hash as "compare the columns themselves". -#}
{% macro content_hash(exprs) -%}
    {{ return(adapter.dispatch('content_hash', 'workbench')(exprs)) }}
{%- endmacro %}

{% macro duckdb__content_hash(exprs) -%}
    hash({{ exprs | join(', ') }})
{%- endmacro %}

{% macro spark__content_hash(exprs) -%}
    {#- Spark's hash functions skip nulls (hash(null, 'a') = hash('a', null)), so they cannot
        tell such rows apart. Spark rebuilds every table whole and compares the columns. -#}
    cast(null as bigint)
{%- endmacro %}

{#- The non-null values of `exprs` (a list of SQL text expressions) sorted and joined with
    `separator`; null when all are null. -#}
{% macro sorted_join(exprs, separator) -%}
    {%- if exprs | length == 0 -%}
        cast(null as string)
    {%- else -%}
        {{ return(adapter.dispatch('sorted_join', 'workbench')(exprs, separator)) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__sorted_join(exprs, separator) -%}
    {#- Most rows have none: the list is built only where one is not null. -#}
    case
        when coalesce({{ exprs | join(', ') }}) is not null
            then nullif(array_to_string(list_sort(list_filter([
                {%- for expr in exprs %}
                {{ expr }}{{ "," if not loop.last }}
                {%- endfor %}
            ], lambda x: x is not null)), '{{ separator }}'), '')
    end
{%- endmacro %}

{% macro spark__sorted_join(exprs, separator) -%}
    nullif(array_join(array_sort(filter(array(
        {%- for expr in exprs %}
        {{ expr }}{{ "," if not loop.last }}
        {%- endfor %}
    ), x -> x is not null)), '{{ separator }}'), '')
{%- endmacro %}

{#- the `separator`-separated parts of `text_expr` (a single character) as a list, in order;
    null when the text is null. -#}
{% macro split_to_list(text_expr, separator) -%}
    {{ return(adapter.dispatch('split_to_list', 'workbench')(text_expr, separator)) }}
{%- endmacro %}

{% macro duckdb__split_to_list(text_expr, separator) -%}
    string_split({{ text_expr }}, '{{ separator }}')
{%- endmacro %}

{% macro spark__split_to_list(text_expr, separator) -%}
    {#- Spark's split takes a regex: a one-character class matches the character itself. -#}
    split({{ text_expr }}, '[{{ separator }}]')
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

{#- a group's non-null values as a list (array), in no particular order. Not dbt's `listagg`,
    which joins them into one delimited string: each event's planned keys are matched against
    every key of every line (unplanned_keys), and splitting that string back into a list on each line
    roughly doubled the cost of the match (DuckDB, one thread, 2 million five-key lines: 2.7 s
    with the list, 4.9 s splitting the string), while matching inside the string is slower still
    and inexact for a key that contains the delimiter. -#}
{% macro list_agg(value_expr) -%}
    {{ return(adapter.dispatch('list_agg', 'workbench')(value_expr)) }}
{%- endmacro %}

{% macro duckdb__list_agg(value_expr) -%}
    list({{ value_expr }}) filter (where {{ value_expr }} is not null)
{%- endmacro %}

{% macro spark__list_agg(value_expr) -%}
    collect_list({{ value_expr }})
{%- endmacro %}

{#- `value` (a Jinja string) as a SQL string literal whose value is exactly `value`, backslashes
    included, so a regex built at compile time reaches the engine as written. -#}
{% macro string_literal(value) -%}
    {{ return(adapter.dispatch('string_literal', 'workbench')(value)) }}
{%- endmacro %}

{% macro duckdb__string_literal(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__string_literal(value) -%}
    {#- A raw literal: Spark's ordinary literals read `\\` as one backslash. A raw literal cannot
        hold a quote, so a value with one stops the build instead of changing its meaning. -#}
    {%- if "'" in value -%}
        {{ exceptions.raise_compiler_error("No Spark raw string literal can hold a quote: " ~ value) }}
    {%- endif -%}
    r'{{ value }}'
{%- endmacro %}

{#- `values` (Jinja strings) as a SQL list (array) literal of strings. -#}
{% macro string_list_literal(values) -%}
    {{ return(adapter.dispatch('string_list_literal', 'workbench')(values)) }}
{%- endmacro %}

{% macro duckdb__string_list_literal(values) -%}
    [{% for value in values %}{{ string_literal(value) }}{{ ", " if not loop.last }}{% endfor %}]
{%- endmacro %}

{% macro spark__string_list_literal(values) -%}
    {#- array() of no elements is an array<void>, which list functions do not match with strings: cast it. -#}
    {%- if values -%}
        array({% for value in values %}{{ string_literal(value) }}{{ ", " if not loop.last }}{% endfor %})
    {%- else -%}
        cast(array() as array<string>)
    {%- endif -%}
{%- endmacro %}
