{#- Reading OTLP/JSON log records (docs/otlp.md). Each log record becomes one flat event object,
    the same JSON shape a flat line has, so base_workbench__parsed_lines parses it with the one
    path list and every rule downstream treats both formats alike. Engine-specific, as the JSON
    functions differ. -#}

{#- The attribute spellings read as taxonomy keys: (attribute_key, property_key) from the seed
    otlp_attribute_names, read while the model compiles. -#}
{% macro otlp_attribute_names() %}
    {%- set names = ref('otlp_attribute_names') -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set result = run_query(
        "select attribute_key, property_key from " ~ names ~ " order by 1"
    ) -%}
    {{ return(result.rows | list) }}
{% endmacro %}

{#- One row per log record of each OTLP line of `lines` (source_file, line_number, _batch_at,
    raw_line, is_valid_utf8), plus one row (record_number 0) for a line that is no OTLP JSON:
    source_file, line_number, record_number (1-based across the line), resource_index,
    scope_index, record_index (0-based, as in the JSON), _batch_at, raw_line, event_text (the
    record as a flat event object; the line itself when it is no OTLP), is_readable, origin_*. -#}
{% macro otlp_log_records(lines) -%}
    {{ return(adapter.dispatch('otlp_log_records', 'workbench')(lines)) }}
{%- endmacro %}

{#- An OTLP AnyValue (JSON text) as the JSON value a flat event would hold: a string, an exact
    integer (intValue is a decimal string; written as a number, never through a double), a
    double, a boolean, bytes (their base64 text), an array or an object (kvlistValue), nested
    `depth` levels deep (deeper values stay as their AnyValue object, which no rule accepts).
    An intValue that is no integer stays a string, which the rules call the wrong type. -#}
{% macro duckdb__otlp_any_value_json(value, depth=2) -%}
    case
        when json_type({{ value }}, '$.stringValue') = 'VARCHAR' then cast(json_extract({{ value }}, '$.stringValue') as varchar)
        when json_extract({{ value }}, '$.intValue') is not null
            then case
                when regexp_full_match(json_extract_string({{ value }}, '$.intValue'), '-?(0|[1-9][0-9]*)')
                    then json_extract_string({{ value }}, '$.intValue')
                else cast(to_json(json_extract_string({{ value }}, '$.intValue')) as varchar)
            end
        when json_extract({{ value }}, '$.doubleValue') is not null then cast(json_extract({{ value }}, '$.doubleValue') as varchar)
        when json_extract({{ value }}, '$.boolValue') is not null then cast(json_extract({{ value }}, '$.boolValue') as varchar)
        when json_extract({{ value }}, '$.bytesValue') is not null then cast(json_extract({{ value }}, '$.bytesValue') as varchar)
        {%- if depth > 1 %}
        when json_extract({{ value }}, '$.arrayValue') is not null
            then '[' || coalesce(array_to_string(list_transform(
                json_extract({{ value }}, '$.arrayValue.values[*]'),
                lambda element: {{ duckdb__otlp_any_value_json('element', depth - 1) }}
            ), ','), '') || ']'
        when json_extract({{ value }}, '$.kvlistValue') is not null
            then '{' || coalesce(array_to_string(list_transform(
                json_extract({{ value }}, '$.kvlistValue.values[*]'),
                lambda entry: cast(to_json(json_extract_string(entry, '$.key')) as varchar) || ':'
                    || {{ duckdb__otlp_any_value_json("json_extract(entry, '$.value')", depth - 1) }}
            ), ','), '') || '}'
        {%- endif %}
        when {{ value }} is null or cast({{ value }} as varchar) = '{}' then 'null'
        else cast({{ value }} as varchar)
    end
{%- endmacro %}

{#- A 64-bit Unix-nanosecond time (a decimal string) as an ISO-8601 UTC string with microseconds,
    as a JSON string; null when absent or 0 (OTLP's "unknown"). Anything else stays as written,
    so the timestamp rules call it invalid rather than guess. -#}
{% macro duckdb__otlp_unix_nano_json(text) -%}
    case
        when {{ text }} is null or {{ text }} in ('', '0') then null
        when regexp_full_match({{ text }}, '[0-9]{1,19}') and cast({{ text }} as hugeint) <= 9223372036854775807
            then cast(to_json(strftime(
                make_timestamp(cast(cast({{ text }} as hugeint) // 1000 as bigint)),
                '%Y-%m-%dT%H:%M:%S.%fZ'
            )) as varchar)
        else cast(to_json({{ text }}) as varchar)
    end
{%- endmacro %}

{#- The string value of resource attribute `key` in `attributes` (a JSON list), or null. -#}
{% macro duckdb__otlp_resource_attribute(attributes, key) -%}
    json_extract_string(
        list_filter({{ attributes }}, lambda a: json_extract_string(a, '$.key') = '{{ key }}')[1],
        '$.value.stringValue'
    )
{%- endmacro %}

{% macro duckdb__otlp_log_records(lines) -%}
    {%- set names = otlp_attribute_names() %}
    {#- Envelope keys come from the record's own fields, never from an attribute. -#}
    {%- set envelope_keys = ['event', 'timestamp'] %}
    (
        with

        -- A case, not `and`: DuckDB may evaluate both sides, and json_type fails on no JSON.
        checked as (
            select
                *,
                case
                    when
                        is_valid_utf8
                        and {{ json_is_object(trim_blank('raw_line')) }}
                        and not {{ json_has_trailing_comma(trim_blank('raw_line')) }}
                        then json_type({{ trim_blank('raw_line') }}, '$.resourceLogs') = 'ARRAY'
                    else false
                end as is_otlp
            from {{ lines }}
        ),

        -- unnest beside generate_subscripts: each element with its 1-based index.
        resource_lists as (
            select
                source_file,
                line_number,
                _batch_at,
                json_extract({{ trim_blank('raw_line') }}, '$.resourceLogs[*]') as resource_logs
            from checked
            where is_otlp
        ),

        resources as (
            select
                source_file,
                line_number,
                _batch_at,
                unnest(resource_logs) as resource_json,
                generate_subscripts(resource_logs, 1) - 1 as resource_index
            from resource_lists
        ),

        scope_lists as (
            select
                source_file,
                line_number,
                _batch_at,
                resource_index,
                json_extract(resource_json, '$.resource.attributes[*]') as resource_attributes,
                json_extract(resource_json, '$.scopeLogs[*]') as scope_logs
            from resources
        ),

        scopes as (
            select
                source_file,
                line_number,
                _batch_at,
                resource_index,
                resource_attributes,
                unnest(scope_logs) as scope_json,
                generate_subscripts(scope_logs, 1) - 1 as scope_index
            from scope_lists
        ),

        record_lists as (
            select
                source_file,
                line_number,
                _batch_at,
                resource_index,
                resource_attributes,
                scope_index,
                json_extract(scope_json, '$.logRecords[*]') as log_records
            from scopes
        ),

        records as (
            select
                source_file,
                line_number,
                _batch_at,
                resource_index,
                resource_attributes,
                scope_index,
                unnest(log_records) as record_json,
                generate_subscripts(log_records, 1) - 1 as record_index
            from record_lists
        ),

        fields as (
            select
                source_file,
                line_number,
                _batch_at,
                resource_index,
                scope_index,
                record_index,
                resource_attributes,
                record_json,
                json_type(record_json) = 'OBJECT' as is_object,
                json_extract_string(record_json, '$.eventName') as event_name_field,
                json_extract_string(record_json, '$.timeUnixNano') as time_unix_nano,
                json_extract_string(record_json, '$.observedTimeUnixNano') as observed_time_unix_nano,
                json_extract(record_json, '$.body') as body,
                json_extract_string(record_json, '$.traceId') as trace_id,
                json_extract_string(record_json, '$.spanId') as span_id,
                -- Each attribute as `"key":value` with its key read as the taxonomy key.
                list_transform(
                    json_extract(record_json, '$.attributes[*]'),
                    lambda attribute: {
                        'key': case json_extract_string(attribute, '$.key')
                            {%- for attribute_key, property_key in names %}
                            when '{{ attribute_key }}' then '{{ property_key }}'
                            {%- endfor %}
                            else json_extract_string(attribute, '$.key')
                        end,
                        'value': {{ duckdb__otlp_any_value_json("json_extract(attribute, '$.value')") }}
                    }
                ) as attributes
            from records
        ),

        events as (
            select
                *,
                coalesce(
                    nullif(event_name_field, ''),
                    json_extract_string(list_filter(attributes, lambda a: a.key = 'event')[1].value, '$')
                ) as event_name,
                list_transform(
                    list_filter(attributes, lambda a: a.key not in ('{{ envelope_keys | join("', '") }}')),
                    lambda a: cast(to_json(a.key) as varchar) || ':' || a.value
                ) as attribute_pairs,
                list_filter(attributes, lambda a: a.key = 'eventId')[1].value as event_id_json,
                {{ duckdb__otlp_unix_nano_json('coalesce(nullif(time_unix_nano, \'0\'), observed_time_unix_nano)') }}
                    as timestamp_json
            from fields
        ),

        -- The event id of a record without an eventId attribute: a hash of what the record says,
        -- in an order-free form (attributes sorted), so a re-export that reorders attributes,
        -- rewrites observedTimeUnixNano or moves the record to another file, line, resource or
        -- scope gives the same id.
        identified as (
            select
                *,
                coalesce(
                    event_id_json,
                    cast(to_json({{ md5_hex("concat_ws(
                        chr(31),
                        coalesce(cast(to_json(event_name) as varchar), ''),
                        coalesce(nullif(time_unix_nano, '0'), ''),
                        coalesce(" ~ duckdb__otlp_any_value_json('body') ~ ", ''),
                        coalesce(array_to_string(list_sort(attribute_pairs), chr(30)), ''),
                        coalesce(trace_id, ''),
                        coalesce(span_id, '')
                    )") }}) as varchar)
                ) as event_id_value
            from events
        ),

        flattened as (
            select
                source_file,
                line_number,
                row_number() over (
                    partition by source_file, line_number
                    order by resource_index, scope_index, record_index
                ) as record_number,
                resource_index,
                scope_index,
                record_index,
                _batch_at,
                case
                    when not is_object then cast(record_json as varchar)
                    else '{' || array_to_string(list_concat(
                        case when event_name is not null then ['"event":' || cast(to_json(event_name) as varchar)] else [] end,
                        case when timestamp_json is not null then ['"timestamp":' || timestamp_json] else [] end,
                        case when event_id_json is null then ['"eventId":' || event_id_value] else [] end,
                        case when body is not null then ['"body":' || {{ duckdb__otlp_any_value_json('body') }}] else [] end,
                        coalesce(attribute_pairs, [])
                    ), ',') || '}'
                end as event_text,
                true as is_readable,
                {%- for column, attribute in record_origin_attributes() %}
                {{ duckdb__otlp_resource_attribute('resource_attributes', attribute) }} as {{ column }}{{ ',' if not loop.last }}
                {%- endfor %}
            from identified
        ),

        not_otlp as (
            {{ otlp_other_lines('checked') }}
        )

        select * from flattened
        union all
        select * from not_otlp
    )
{%- endmacro %}

{#- Spark: the same steps on VARIANT values (try_parse_json once per line, posexplode for the
    positions), producing the same text as DuckDB for the same record. -#}

{#- a SQL string as a JSON string literal (quoted, escaped). -#}
{% macro spark__otlp_json_string(text) -%}
    regexp_extract(to_json(array({{ text }})), '^\\[(.*)\\]$', 1)
{%- endmacro %}

{% macro spark__otlp_any_value_json(value, depth=2) -%}
    case
        when schema_of_variant(variant_get({{ value }}, '$.stringValue')) = 'STRING' then to_json(variant_get({{ value }}, '$.stringValue'))
        when variant_get({{ value }}, '$.intValue') is not null
            then case
                when variant_get({{ value }}, '$.intValue', 'string') rlike '^-?(0|[1-9][0-9]*)$'
                    then variant_get({{ value }}, '$.intValue', 'string')
                else {{ spark__otlp_json_string("variant_get(" ~ value ~ ", '$.intValue', 'string')") }}
            end
        when variant_get({{ value }}, '$.doubleValue') is not null then to_json(variant_get({{ value }}, '$.doubleValue'))
        when variant_get({{ value }}, '$.boolValue') is not null then to_json(variant_get({{ value }}, '$.boolValue'))
        when variant_get({{ value }}, '$.bytesValue') is not null then to_json(variant_get({{ value }}, '$.bytesValue'))
        {%- if depth > 1 %}
        when variant_get({{ value }}, '$.arrayValue') is not null
            then '[' || coalesce(array_join(transform(
                variant_get({{ value }}, '$.arrayValue.values', 'array<variant>'),
                element -> {{ spark__otlp_any_value_json('element', depth - 1) }}
            ), ','), '') || ']'
        when variant_get({{ value }}, '$.kvlistValue') is not null
            then '{' || coalesce(array_join(transform(
                variant_get({{ value }}, '$.kvlistValue.values', 'array<variant>'),
                entry -> {{ spark__otlp_json_string("variant_get(entry, '$.key', 'string')") }} || ':'
                    || {{ spark__otlp_any_value_json("variant_get(entry, '$.value')", depth - 1) }}
            ), ','), '') || '}'
        {%- endif %}
        when {{ value }} is null or to_json({{ value }}) = '{}' then 'null'
        else to_json({{ value }})
    end
{%- endmacro %}

{% macro spark__otlp_unix_nano_json(text) -%}
    case
        when {{ text }} is null or {{ text }} in ('', '0') then null
        when {{ text }} rlike '^[0-9]{1,19}$' and cast({{ text }} as decimal(20, 0)) <= 9223372036854775807
            then {{ spark__otlp_json_string(
                "date_format(timestamp_micros(cast(cast(" ~ text ~ " as decimal(20, 0)) div 1000 as bigint)),"
                ~ " \"yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'\")"
            ) }}
        else {{ spark__otlp_json_string(text) }}
    end
{%- endmacro %}

{% macro spark__otlp_resource_attribute(attributes, key) -%}
    variant_get(
        try_element_at(filter({{ attributes }}, a -> variant_get(a, '$.key', 'string') = '{{ key }}'), 1),
        '$.value.stringValue',
        'string'
    )
{%- endmacro %}

{% macro spark__otlp_log_records(lines) -%}
    {%- set names = otlp_attribute_names() %}
    {%- set envelope_keys = ['event', 'timestamp'] %}
    (
        with

        checked as (
            select
                *,
                case
                    when
                        is_valid_utf8
                        and {{ json_is_object(trim_blank('raw_line')) }}
                        and not {{ json_has_trailing_comma(trim_blank('raw_line')) }}
                        then coalesce(
                            schema_of_variant(variant_get(try_parse_json({{ trim_blank('raw_line') }}), '$.resourceLogs'))
                                like 'ARRAY%',
                            false
                        )
                    else false
                end as is_otlp
            from {{ lines }}
        ),

        resources as (
            select
                checked.source_file,
                checked.line_number,
                checked._batch_at,
                resource_log.resource_index,
                resource_log.resource_json
            from checked
            lateral view posexplode(
                case when checked.is_otlp then variant_get(try_parse_json({{ trim_blank('checked.raw_line') }}), '$.resourceLogs', 'array<variant>') end
            ) resource_log as resource_index, resource_json
        ),

        scopes as (
            select
                resources.source_file,
                resources.line_number,
                resources._batch_at,
                resources.resource_index,
                variant_get(resources.resource_json, '$.resource.attributes', 'array<variant>') as resource_attributes,
                scope_log.scope_index,
                scope_log.scope_json
            from resources
            lateral view posexplode(variant_get(resources.resource_json, '$.scopeLogs', 'array<variant>'))
                scope_log as scope_index, scope_json
        ),

        records as (
            select
                scopes.source_file,
                scopes.line_number,
                scopes._batch_at,
                scopes.resource_index,
                scopes.resource_attributes,
                scopes.scope_index,
                log_record.record_index,
                log_record.record_json
            from scopes
            lateral view posexplode(variant_get(scopes.scope_json, '$.logRecords', 'array<variant>'))
                log_record as record_index, record_json
        ),

        fields as (
            select
                source_file,
                line_number,
                _batch_at,
                resource_index,
                scope_index,
                record_index,
                resource_attributes,
                record_json,
                coalesce(schema_of_variant(record_json) like 'OBJECT%', false) as is_object,
                variant_get(record_json, '$.eventName', 'string') as event_name_field,
                variant_get(record_json, '$.timeUnixNano', 'string') as time_unix_nano,
                variant_get(record_json, '$.observedTimeUnixNano', 'string') as observed_time_unix_nano,
                variant_get(record_json, '$.body') as body,
                variant_get(record_json, '$.traceId', 'string') as trace_id,
                variant_get(record_json, '$.spanId', 'string') as span_id,
                transform(
                    variant_get(record_json, '$.attributes', 'array<variant>'),
                    attribute -> named_struct(
                        'key', case variant_get(attribute, '$.key', 'string')
                            {%- for attribute_key, property_key in names %}
                            when '{{ attribute_key }}' then '{{ property_key }}'
                            {%- endfor %}
                            else variant_get(attribute, '$.key', 'string')
                        end,
                        'value', {{ spark__otlp_any_value_json("variant_get(attribute, '$.value')") }}
                    )
                ) as attributes
            from records
        ),

        events as (
            select
                *,
                coalesce(
                    nullif(event_name_field, ''),
                    variant_get(try_parse_json(try_element_at(filter(attributes, a -> a.key = 'event'), 1).value), '$', 'string')
                ) as event_name,
                transform(
                    filter(attributes, a -> a.key not in ('{{ envelope_keys | join("', '") }}')),
                    a -> {{ spark__otlp_json_string('a.key') }} || ':' || a.value
                ) as attribute_pairs,
                try_element_at(filter(attributes, a -> a.key = 'eventId'), 1).value as event_id_json,
                {{ spark__otlp_unix_nano_json("coalesce(nullif(time_unix_nano, '0'), observed_time_unix_nano)") }}
                    as timestamp_json
            from fields
        ),

        identified as (
            select
                *,
                coalesce(
                    event_id_json,
                    {{ spark__otlp_json_string(md5_hex("concat_ws(
                        chr(31),
                        coalesce(" ~ spark__otlp_json_string('event_name') ~ ", ''),
                        coalesce(nullif(time_unix_nano, '0'), ''),
                        coalesce(" ~ spark__otlp_any_value_json('body') ~ ", ''),
                        coalesce(array_join(array_sort(attribute_pairs), chr(30)), ''),
                        coalesce(trace_id, ''),
                        coalesce(span_id, '')
                    )")) }}
                ) as event_id_value
            from events
        ),

        flattened as (
            select
                source_file,
                line_number,
                row_number() over (
                    partition by source_file, line_number
                    order by resource_index, scope_index, record_index
                ) as record_number,
                cast(resource_index as bigint) as resource_index,
                cast(scope_index as bigint) as scope_index,
                cast(record_index as bigint) as record_index,
                _batch_at,
                case
                    when not is_object then to_json(record_json)
                    else '{' || array_join(concat(
                        case when event_name is not null then array('"event":' || {{ spark__otlp_json_string('event_name') }}) else cast(array() as array<string>) end,
                        case when timestamp_json is not null then array('"timestamp":' || timestamp_json) else cast(array() as array<string>) end,
                        case when event_id_json is null then array('"eventId":' || event_id_value) else cast(array() as array<string>) end,
                        case when body is not null then array('"body":' || {{ spark__otlp_any_value_json('body') }}) else cast(array() as array<string>) end,
                        coalesce(attribute_pairs, cast(array() as array<string>))
                    ), ',') || '}'
                end as event_text,
                true as is_readable,
                {%- for column, attribute in record_origin_attributes() %}
                {{ spark__otlp_resource_attribute('resource_attributes', attribute) }} as {{ column }}{{ ',' if not loop.last }}
                {%- endfor %}
            from identified
        ),

        not_otlp as (
            {{ otlp_other_lines('checked') }}
        )

        select * from flattened
        union all
        select * from not_otlp
    )
{%- endmacro %}


{#- The lines of `checked` (otlp_log_records' first step, with is_otlp) that are no OTLP JSON: one
    row each, in otlp_log_records' columns, record_number 0, unreadable and of no service, so the
    validation quarantines each as it would a flat line that is no JSON object. -#}
{% macro otlp_other_lines(checked) -%}
    select
                source_file,
                line_number,
                cast(0 as bigint) as record_number,
                cast(null as bigint) as resource_index,
                cast(null as bigint) as scope_index,
                cast(null as bigint) as record_index,
                _batch_at,
                raw_line as event_text,
                false as is_readable,
                {{ null_origin_columns(16) }}
            from {{ checked }}
            where not coalesce(is_otlp, false)
{%- endmacro %}
