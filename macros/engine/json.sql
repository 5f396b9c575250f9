{#- JSON access. Engine-specific, so every model calls these instead of an engine's functions;
    a new engine (Spark) adds its own `<adapter>__` implementations beside the DuckDB ones. -#}

{#- true when `text_expr` parses as a JSON object (not an array or scalar). -#}
{% macro json_is_object(text_expr) -%}
    {{ return(adapter.dispatch('json_is_object', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__json_is_object(text_expr) -%}
    {#- CASE, not AND: DuckDB may evaluate both sides of an AND, and json_type raises on bad JSON. -#}
    case when json_valid({{ text_expr }}) then json_type({{ text_expr }}) = 'OBJECT' else false end
{%- endmacro %}

{% macro spark__json_is_object(text_expr) -%}
    {#- Duplicate keys are let through by the profile (spark.sql.variant.allowDuplicateKeys), for
        json_has_duplicate_keys to judge as on DuckDB. -#}
    coalesce(schema_of_variant(try_parse_json({{ text_expr }})) like 'OBJECT%', false)
{%- endmacro %}

{#- the JSON value under top-level key `key_expr` (a SQL string expression), or null. -#}
{% macro json_get(json_expr, key_expr) -%}
    {{ return(adapter.dispatch('json_get', 'workbench')(json_expr, key_expr)) }}
{%- endmacro %}

{% macro duckdb__json_get(json_expr, key_expr) -%}
    json_extract({{ json_expr }}, '$."' || {{ key_expr }} || '"')
{%- endmacro %}

{% macro spark__json_get(json_expr, key_expr) -%}
    {#- As JSON text, like DuckDB's JSON values; a map lookup takes a key that is a column. -#}
    to_json(from_json({{ json_expr }}, 'map<string,variant>')[{{ key_expr }}])
{%- endmacro %}

{#- the text of the top-level key `key` (a literal) as a string, or null. -#}
{% macro json_text(json_expr, key) -%}
    {{ return(adapter.dispatch('json_text', 'workbench')(json_expr, key)) }}
{%- endmacro %}

{% macro duckdb__json_text(json_expr, key) -%}
    json_extract_string({{ json_expr }}, '$."{{ key }}"')
{%- endmacro %}

{% macro spark__json_text(json_expr, key) -%}
    variant_get(try_parse_json({{ json_expr }}), '$["{{ key }}"]', 'string')
{%- endmacro %}

{#- the JSON type name of a JSON value: NULL, VARCHAR, BIGINT, UBIGINT, DOUBLE, BOOLEAN, ARRAY,
    OBJECT; SQL null when the value itself is null (the key was absent). -#}
{% macro json_type_name(json_value_expr) -%}
    {{ return(adapter.dispatch('json_type_name', 'workbench')(json_value_expr)) }}
{%- endmacro %}

{% macro duckdb__json_type_name(json_value_expr) -%}
    json_type({{ json_value_expr }})
{%- endmacro %}

{% macro spark__json_type_name(json_value_expr) -%}
    {#- Spark's variant type names mapped to DuckDB's JSON type names, which the models test
        for: integers are BIGINT, an integer too large for it UBIGINT up to 2^64 - 1, any other
        number DOUBLE. -#}
    case regexp_replace(schema_of_variant(try_parse_json({{ json_value_expr }})), '[<(].*$', '')
        when 'VOID' then 'NULL'
        when 'STRING' then 'VARCHAR'
        when 'TINYINT' then 'BIGINT'
        when 'SMALLINT' then 'BIGINT'
        when 'INT' then 'BIGINT'
        when 'BIGINT' then 'BIGINT'
        when 'DECIMAL' then
            case
                when {{ json_value_expr }} rlike '^[0-9]+$'
                    and try_cast({{ json_value_expr }} as decimal(38, 0)) <= 18446744073709551615
                    then 'UBIGINT'
                else 'DOUBLE'
            end
        when 'FLOAT' then 'DOUBLE'
        when 'DOUBLE' then 'DOUBLE'
        when 'BOOLEAN' then 'BOOLEAN'
        when 'ARRAY' then 'ARRAY'
        when 'OBJECT' then 'OBJECT'
    end
{%- endmacro %}

{#- a JSON scalar's value as text: strings unquoted, numbers as written. -#}
{% macro json_scalar_text(json_value_expr) -%}
    {{ return(adapter.dispatch('json_scalar_text', 'workbench')(json_value_expr)) }}
{%- endmacro %}

{% macro duckdb__json_scalar_text(json_value_expr) -%}
    json_extract_string({{ json_value_expr }}, '$')
{%- endmacro %}

{% macro spark__json_scalar_text(json_value_expr) -%}
    variant_get(try_parse_json({{ json_value_expr }}), '$', 'string')
{%- endmacro %}

{#- The object's properties: keys inside a nested `properties` object, overridden by the same
    keys at the top level (contract section 2). A top-level null removes the nested value, which
    is what "the top level wins" means for a null. -#}
{% macro json_merge_properties(json_expr, nested_key) -%}
    {{ return(adapter.dispatch('json_merge_properties', 'workbench')(json_expr, nested_key)) }}
{%- endmacro %}

{% macro duckdb__json_merge_properties(json_expr, nested_key) -%}
    json_merge_patch(
        case
            when json_type({{ json_expr }}, '$.{{ nested_key }}') = 'OBJECT'
                then json_extract({{ json_expr }}, '$.{{ nested_key }}')
            else '{}'
        end,
        {{ json_expr }}
    )
{%- endmacro %}

{% macro spark__json_merge_properties(json_expr, nested_key) -%}
    {#- map_concat lets the later (top-level) key win: the profile sets
        spark.sql.mapKeyDedupPolicy = LAST_WIN. A top-level null then removes the key. -#}
    to_json(map_filter(
        map_concat(
            from_json(
                case
                    when schema_of_variant(variant_get(try_parse_json({{ json_expr }}), '$.{{ nested_key }}')) like 'OBJECT%'
                        then to_json(variant_get(try_parse_json({{ json_expr }}), '$.{{ nested_key }}'))
                    else '{}'
                end,
                'map<string,variant>'
            ),
            from_json({{ json_expr }}, 'map<string,variant>')
        ),
        (k, v) -> not (
            is_variant_null(v) and map_contains_key(from_json({{ json_expr }}, 'map<string,variant>'), k)
        )
    ))
{%- endmacro %}

{#- for a JSON array of strings: true when it is non-empty and every element is a non-blank
    string; the elements sorted and joined with `separator` otherwise null. -#}
{% macro json_string_array_is_valid(json_value_expr) -%}
    {{ return(adapter.dispatch('json_string_array_is_valid', 'workbench')(json_value_expr)) }}
{%- endmacro %}

{% macro duckdb__json_string_array_is_valid(json_value_expr) -%}
    (
        json_array_length({{ json_value_expr }}) > 0
        and len(list_filter(json_type({{ json_value_expr }}, '$[*]'), lambda t: t <> 'VARCHAR')) = 0
        and len(
            list_filter(
                json_extract_string({{ json_value_expr }}, '$[*]'),
                lambda s: {{ trim_blank('s') }} = ''
            )
        ) = 0
    )
{%- endmacro %}

{% macro spark__json_string_array_is_valid(json_value_expr) -%}
    coalesce(
        schema_of_variant(try_parse_json({{ json_value_expr }})) = 'ARRAY<STRING>'
        and not exists(
            variant_get(try_parse_json({{ json_value_expr }}), '$', 'array<string>'),
            s -> s is null or {{ trim_blank('s') }} = ''
        ),
        false
    )
{%- endmacro %}

{% macro json_string_array_sorted_join(json_value_expr, separator) -%}
    {{ return(adapter.dispatch('json_string_array_sorted_join', 'workbench')(json_value_expr, separator)) }}
{%- endmacro %}

{% macro duckdb__json_string_array_sorted_join(json_value_expr, separator) -%}
    array_to_string(list_sort(json_extract_string({{ json_value_expr }}, '$[*]')), '{{ separator }}')
{%- endmacro %}

{% macro spark__json_string_array_sorted_join(json_value_expr, separator) -%}
    array_join(
        array_sort(variant_get(try_parse_json({{ json_value_expr }}), '$', 'array<string>')),
        '{{ separator }}'
    )
{%- endmacro %}

{#- an object built from (key, text value) rows in a group; a null value becomes JSON null. -#}
{% macro json_object_agg(key_expr, value_expr) -%}
    {{ return(adapter.dispatch('json_object_agg', 'workbench')(key_expr, value_expr)) }}
{%- endmacro %}

{% macro duckdb__json_object_agg(key_expr, value_expr) -%}
    json_group_object({{ key_expr }}, {{ value_expr }})
{%- endmacro %}

{% macro spark__json_object_agg(key_expr, value_expr) -%}
    to_json(map_from_entries(collect_list(struct({{ key_expr }}, {{ value_expr }}))))
{%- endmacro %}

{#- a normalized event property (see stg_workbench__events.properties) cast to the SQL type of
    its taxonomy value type. -#}
{% macro event_property(key, value_type) -%}
    {%- set sql_types = {'count': 'bigint', 'boolean': 'boolean'} -%}
    {%- if value_type in sql_types -%}
        cast({{ json_text('properties', key) }} as {{ sql_types[value_type] }})
    {%- else -%}
        {{ json_text('properties', key) }}
    {%- endif -%}
{%- endmacro %}

{#- true when the object `json_expr` names a key twice at its top level or inside its
    `nested_key` object. RFC 8259 leaves the meaning of such an object to the reader (the first?
    the last? an error?), so no rule here picks one. Never null for an object. -#}
{% macro json_has_duplicate_keys(json_expr, nested_key) -%}
    {{ return(adapter.dispatch('json_has_duplicate_keys', 'workbench')(json_expr, nested_key)) }}
{%- endmacro %}

{% macro duckdb__json_has_duplicate_keys(json_expr, nested_key) -%}
    (
        len(json_keys({{ json_expr }})) <> len(list_distinct(json_keys({{ json_expr }})))
        or coalesce(
            len(json_keys({{ json_expr }}, '$.{{ nested_key }}'))
            <> len(list_distinct(json_keys({{ json_expr }}, '$.{{ nested_key }}'))),
            false
        )
    )
{%- endmacro %}

{% macro spark__json_has_duplicate_keys(json_expr, nested_key) -%}
    (
        size(json_object_keys({{ json_expr }}))
        <> size(array_distinct(json_object_keys({{ json_expr }})))
        or coalesce(
            size(json_object_keys(get_json_object({{ json_expr }}, '$.{{ nested_key }}')))
            <> size(array_distinct(json_object_keys(get_json_object({{ json_expr }}, '$.{{ nested_key }}')))),
            false
        )
    )
{%- endmacro %}

{#- a text that is known to hold JSON, as the engine's JSON value (parsed once on DuckDB). -#}
{% macro json_from_text(text_expr) -%}
    {{ return(adapter.dispatch('json_from_text', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__json_from_text(text_expr) -%}
    cast({{ text_expr }} as json)
{%- endmacro %}

{% macro spark__json_from_text(text_expr) -%}
    {#- Spark's functions here parse the text where they need it. -#}
    {{ text_expr }}
{%- endmacro %}
