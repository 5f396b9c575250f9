{#- The value rules of one taxonomy property, per value type (docs/input.md, "Properties"). They
    read the columns that base_workbench__validated_lines derives per property `<column>`:
    `json__<column>` (the JSON value), `type__<column>` (its JSON type name), `text__<column>` (its
    text) and `is_absent__<column>`. -#}

{#- true when the JSON type suits the value type. -#}
{% macro property_is_right_type(value_type, column) -%}
    {%- set accepted = {
        'id': ['VARCHAR', 'BIGINT', 'UBIGINT'],
        'string': ['VARCHAR'],
        'enum': ['VARCHAR'],
        'count': ['BIGINT', 'UBIGINT', 'DOUBLE'],
        'boolean': ['BOOLEAN'],
        'id_list': ['ARRAY'],
        'timestamp': ['VARCHAR', 'BIGINT', 'UBIGINT'],
    }[value_type] -%}
    coalesce(type__{{ column }} in ('{{ accepted | join("', '") }}'), false)
{%- endmacro %}

{#- The usable value, typed (count: bigint, boolean: boolean, timestamp: timestamp, else string), or null; only read when the value is present
    and of the right type. -#}
{% macro property_normalized_value(value_type, allowed_values, column) -%}
    {%- set text = 'text__' ~ column -%}
    {%- if value_type in ('id', 'string') -%}
        {{ text }}
    {%- elif value_type == 'boolean' -%}
        cast({{ text }} as boolean)
    {%- elif value_type == 'enum' -%}
        {#- Compared trimmed and in any case, stored lower-case. -#}
        case
            when lower({{ trim_blank(text) }}) in ('{{ allowed_values.split("|") | join("', '") }}')
                then lower({{ trim_blank(text) }})
        end
    {%- elif value_type == 'count' -%}
        {#- A JSON integer is read as an integer: through a double it would be rounded above 2^53.
            From 2^63 on it is no count (no bigint holds it), nor when negative; a whole number
            written with a fraction (6.0) is one. -#}
        case
            when type__{{ column }} in ('BIGINT', 'UBIGINT') and try_cast({{ text }} as bigint) >= 0
                then try_cast({{ text }} as bigint)
            when
                type__{{ column }} = 'DOUBLE'
                and try_cast({{ text }} as double) >= 0
                and try_cast({{ text }} as double) = floor(try_cast({{ text }} as double))
                then try_cast(try_cast({{ text }} as double) as bigint)
        end
    {%- elif value_type == 'id_list' -%}
        case
            when {{ json_string_array_is_valid('json__' ~ column) }}
                then {{ json_string_array_sorted_join('json__' ~ column, ',') }}
        end
    {%- elif value_type == 'timestamp' -%}
        case
            when type__{{ column }} = 'VARCHAR' then {{ parse_iso8601_utc(trim_blank(text)) }}
            -- Integers outside [2000-01-01, build + 24h] never reach the conversion, so an
            -- absurd value is out of range rather than an overflow error.
            when try_cast({{ text }} as bigint) between {{ valid_epoch_ms_range() }}
                then {{ epoch_ms_to_timestamp('cast(' ~ text ~ ' as bigint)') }}
        end
    {%- endif -%}
{%- endmacro %}

{#- What a privacy rule does to a value of this type: email_hashed (an identifier that is an
    e-mail address), email_redacted (an e-mail address inside other text), else null. -#}
{% macro property_privacy_finding(value_type, value_expr) -%}
    {#- No e-mail address without an `@`: the regular expressions run only where one is. -#}
    {%- if value_type == 'id' -%}
        case
            when instr({{ value_expr }}, '@') = 0 then null
            when {{ is_email(value_expr) }} then 'email_hashed'
            when {{ contains_email(value_expr) }} then 'email_redacted'
        end
    {%- elif value_type in ('string', 'id_list') -%}
        case when instr({{ value_expr }}, '@') > 0 and {{ contains_email(value_expr) }} then 'email_redacted' end
    {%- else -%}
        cast(null as string)
    {%- endif -%}
{%- endmacro %}
