{#- JSON access. Engine-specific, so every model calls these instead of an engine's functions;
    a new engine (Spark) adds its own `<adapter>__` implementations beside the DuckDB ones. -#}

{#- true when `text_expr` (trimmed: no leading or trailing blanks) parses as a JSON object, not an
    array or scalar. -#}
{% macro json_is_object(text_expr) -%}
    {{ return(adapter.dispatch('json_is_object', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__json_is_object(text_expr) -%}
    {#- The text is trimmed, so a JSON object is valid JSON that starts with `{`: one parse, where
        json_type would be a second. -#}
    (left({{ text_expr }}, 1) = '{' and json_valid({{ text_expr }}))
{%- endmacro %}

{% macro spark__json_is_object(text_expr) -%}
    {#- Duplicate keys are let through by the profile (spark.sql.variant.allowDuplicateKeys), for
        json_has_duplicate_keys to judge as on DuckDB. -#}
    coalesce(schema_of_variant(try_parse_json({{ text_expr }})) like 'OBJECT%', false)
{%- endmacro %}

{#- true when valid JSON text `text_expr` has a comma right before a closing `}` or `]`
    (`{"a":1,}`, `[1,2,]`), at any depth. RFC 8259 has no trailing comma, but DuckDB's JSON
    reader lets it through. Run on every line, so a cheap string test comes first: only a line
    with a comma, blanks and a closing bracket in that order (almost none) gets the exact check,
    which blanks out every string (where `,}` is text, not syntax) and looks again. -#}
{% macro json_has_trailing_comma(text_expr) -%}
    {{ return(adapter.dispatch('json_has_trailing_comma', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__json_has_trailing_comma(text_expr) -%}
    case
        when regexp_matches({{ text_expr }}, ',[ \t\n\r]*[}\]]')
            then regexp_matches(
                regexp_replace({{ text_expr }}, '"([^"\\]|\\.)*"', '""', 'g'),
                ',[ \t\n\r]*[}\]]'
            )
        else false
    end
{%- endmacro %}

{% macro spark__json_has_trailing_comma(text_expr) -%}
    {#- Raw literals, so Spark reads the backslashes as the regex's; a string is an unrolled loop
        of possessive runs (Java's regex engine would recurse once per character otherwise). -#}
    case
        when {{ text_expr }} rlike r',[ \t\n\r]*[}\]]'
            then regexp_replace({{ text_expr }}, r'"[^"\\]*+(?:\\.[^"\\]*+)*+"', '""')
                rlike r',[ \t\n\r]*[}\]]'
        else false
    end
{%- endmacro %}

{#- the JSON value under top-level key `key_expr` (a SQL string expression), or null. -#}
{#- the text of the top-level key `key` (a literal) as a string, or null. -#}
{#- the JSON type name of a JSON value (as json_path_value returns it): NULL, VARCHAR, BIGINT,
    UBIGINT, DOUBLE, BOOLEAN, ARRAY, OBJECT; SQL null when the value itself is null (the key was
    absent). -#}
{% macro json_type_name(json_value_expr) -%}
    {{ return(adapter.dispatch('json_type_name', 'workbench')(json_value_expr)) }}
{%- endmacro %}

{% macro duckdb__json_type_name(json_value_expr) -%}
    {#- The value is one json_extract wrote (compact, no leading blank): its first character tells
        every type but a number's, so only numbers are parsed again. -#}
    case left({{ json_value_expr }}, 1)
        when '"' then 'VARCHAR'
        when 't' then 'BOOLEAN'
        when 'f' then 'BOOLEAN'
        when 'n' then 'NULL'
        when '[' then 'ARRAY'
        when '{' then 'OBJECT'
        else json_type({{ json_value_expr }})
    end
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
    {#- A string json_extract wrote without a backslash has no escape: its text is what lies
        between the quotes. Other values are parsed. -#}
    case
        when left({{ json_value_expr }}, 1) = '"' and not contains({{ json_value_expr }}, '\')
            then substr({{ json_value_expr }}, 2, length({{ json_value_expr }}) - 2)
        else json_extract_string({{ json_value_expr }}, '$')
    end
{%- endmacro %}

{% macro spark__json_scalar_text(json_value_expr) -%}
    variant_get(try_parse_json({{ json_value_expr }}), '$', 'string')
{%- endmacro %}

{#- The object's properties: keys inside a nested `properties` object, overridden by the same
    keys at the top level (docs/specification.md, 'Raw input'). A top-level null removes the nested
    value, which is what "the top level wins" means for a null. -#}
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
{#- Parsing each line once. DuckDB parses JSON text again on every function call, so every value
    the rules need comes out of one call (json_extract with a list of paths); Spark parses the
    text once into a VARIANT and reads the paths from that. `paths` is a list of key lists:
    [['event'], ['properties', 'draftId'], ...]. -#}
{% macro json_extract_paths(text_expr, paths) -%}
    {{ return(adapter.dispatch('json_extract_paths', 'workbench')(text_expr, paths)) }}
{%- endmacro %}

{% macro duckdb__json_extract_paths(text_expr, paths) -%}
    json_extract({{ text_expr }}, [
        {%- for path in paths %}
        '$."{{ path | join('"."') }}"'{{ "," if not loop.last }}
        {%- endfor %}
    ])
{%- endmacro %}

{% macro spark__json_extract_paths(text_expr, paths) -%}
    try_parse_json({{ text_expr }})
{%- endmacro %}

{#- The JSON text of `paths[index]` in what json_extract_paths returned: SQL null when the path
    is absent, the JSON text `null` when it holds null. -#}
{% macro json_path_value(extracted_expr, paths, index) -%}
    {{ return(adapter.dispatch('json_path_value', 'workbench')(extracted_expr, paths, index)) }}
{%- endmacro %}

{% macro duckdb__json_path_value(extracted_expr, paths, index) -%}
    {{ extracted_expr }}[{{ index + 1 }}]
{%- endmacro %}

{% macro spark__json_path_value(extracted_expr, paths, index) -%}
    to_json(variant_get({{ extracted_expr }}, '$["{{ paths[index] | join('"]["') }}"]'))
{%- endmacro %}

{#- The keys of a JSON object and of its `nested_key` object, as two lists (the second empty or
    null when there is no such object), duplicates kept: DuckDB reads both in one parse. -#}
{% macro json_key_lists(text_expr, nested_key) -%}
    {{ return(adapter.dispatch('json_key_lists', 'workbench')(text_expr, nested_key)) }}
{%- endmacro %}

{% macro duckdb__json_key_lists(text_expr, nested_key) -%}
    json_keys({{ text_expr }}, ['$', '$."{{ nested_key }}"'])
{%- endmacro %}

{% macro spark__json_key_lists(text_expr, nested_key) -%}
    array(
        json_object_keys({{ text_expr }}),
        json_object_keys(get_json_object({{ text_expr }}, '$.{{ nested_key }}'))
    )
{%- endmacro %}

{#- true when either list of json_key_lists names a key twice. RFC 8259 leaves the meaning of such
    an object to the reader (the first? the last? an error?), so no rule here picks one. -#}
{% macro key_lists_have_duplicates(key_lists_expr) -%}
    {{ return(adapter.dispatch('key_lists_have_duplicates', 'workbench')(key_lists_expr)) }}
{%- endmacro %}

{% macro duckdb__key_lists_have_duplicates(key_lists_expr) -%}
    (
        len({{ key_lists_expr }}[1]) <> len(list_distinct({{ key_lists_expr }}[1]))
        or coalesce(len({{ key_lists_expr }}[2]) <> len(list_distinct({{ key_lists_expr }}[2])), false)
    )
{%- endmacro %}

{% macro spark__key_lists_have_duplicates(key_lists_expr) -%}
    (
        size({{ key_lists_expr }}[0]) <> size(array_distinct({{ key_lists_expr }}[0]))
        or coalesce(size({{ key_lists_expr }}[1]) <> size(array_distinct({{ key_lists_expr }}[1])), false)
    )
{%- endmacro %}

{#- The keys of json_key_lists (either object) whose lower-case form is in `denylist_expr` (a list
    of lower-case keys), sorted, distinct and `;`-joined; null when none. -#}
{% macro denylisted_keys(key_lists_expr, denylist_expr) -%}
    {{ return(adapter.dispatch('denylisted_keys', 'workbench')(key_lists_expr, denylist_expr)) }}
{%- endmacro %}

{% macro duckdb__denylisted_keys(key_lists_expr, denylist_expr) -%}
    nullif(
        array_to_string(
            list_sort(list_distinct(list_filter(
                list_concat({{ key_lists_expr }}[1], coalesce({{ key_lists_expr }}[2], [])),
                lambda k: list_contains({{ denylist_expr }}, lower(k))
            ))),
            ';'
        ),
        ''
    )
{%- endmacro %}

{% macro spark__denylisted_keys(key_lists_expr, denylist_expr) -%}
    nullif(
        array_join(
            array_sort(array_distinct(filter(
                concat({{ key_lists_expr }}[0], coalesce({{ key_lists_expr }}[1], cast(array() as array<string>))),
                k -> array_contains({{ denylist_expr }}, lower(k))
            ))),
            ';'
        ),
        ''
    )
{%- endmacro %}

{#- The keys of json_key_lists (either object) that are neither the envelope (`event`, `eventId`,
    `properties`), nor in `planned_expr` (the event's taxonomy keys, exact case: `sessionID` is
    not `sessionId`), nor forbidden (`denylist_expr`, lower-case: those are counted as privacy
    findings instead), sorted, distinct and `;`-joined; null when none. -#}
{% macro unplanned_keys(key_lists_expr, planned_expr, denylist_expr) -%}
    {{ return(adapter.dispatch('unplanned_keys', 'workbench')(key_lists_expr, planned_expr, denylist_expr)) }}
{%- endmacro %}

{% macro duckdb__unplanned_keys(key_lists_expr, planned_expr, denylist_expr) -%}
    nullif(
        array_to_string(
            list_sort(list_distinct(list_filter(
                list_concat({{ key_lists_expr }}[1], coalesce({{ key_lists_expr }}[2], [])),
                lambda k: not list_contains(['event', 'eventId', 'properties'], k)
                and not list_contains({{ planned_expr }}, k)
                and not list_contains({{ denylist_expr }}, lower(k))
            ))),
            ';'
        ),
        ''
    )
{%- endmacro %}

{% macro spark__unplanned_keys(key_lists_expr, planned_expr, denylist_expr) -%}
    nullif(
        array_join(
            array_sort(array_distinct(filter(
                concat({{ key_lists_expr }}[0], coalesce({{ key_lists_expr }}[1], cast(array() as array<string>))),
                k -> not array_contains(array('event', 'eventId', 'properties'), k)
                and not array_contains({{ planned_expr }}, k)
                and not array_contains({{ denylist_expr }}, lower(k))
            ))),
            ';'
        ),
        ''
    )
{%- endmacro %}
