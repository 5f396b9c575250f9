{#- Time parsing and truncation. All timestamps in this project are UTC, stored without a zone. -#}

{#- docs/specification.md, 'Raw input': ISO-8601 forms: `T` or space separator, optional fraction
    (kept to the microsecond), `Z`, `+HH:MM`/`-HH:MM` or no zone (UTC). Anything else, or an
    impossible date, gives null. -#}

{#- The accepted forms as one pattern: hours 00-23 (`24:00`, the end of a day, is no instant a
    client clock writes, so it is invalid rather than the next day's midnight), minutes and
    seconds 00-59 (no leap second), and a zone offset of at most 18:00 with minutes 00-59, the
    range java.time allows (the widest in use is +14:00). The casts would otherwise shift a time
    by `+99:00` hours or read `+01:60` as two hours. -#}
{% macro iso8601_pattern() -%}
    {{- return('[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]+)?([Zz]|[+-]((0[0-9]|1[0-7]):[0-5][0-9]|18:00))?') -}}
{%- endmacro %}

{% macro parse_iso8601_utc(text_expr) -%}
    {{ return(adapter.dispatch('parse_iso8601_utc', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__parse_iso8601_utc(text_expr) -%}
    {#- The pattern pins down the accepted forms; DuckDB's cast then does the calendar and the
        offset arithmetic. A string without a zone gets `Z` so the session time zone never
        matters. -#}
    case
        when regexp_full_match(
                {{ text_expr }},
                '{{ iso8601_pattern() }}'
            )
            then cast(
                try_cast(
                    case
                        when regexp_matches({{ text_expr }}, '([Zz]|[+-][0-9]{2}:[0-9]{2})$')
                            then upper({{ text_expr }})
                        else upper({{ text_expr }}) || 'Z'
                    end as timestamptz
                ) at time zone 'UTC' as timestamp
            )
    end
{%- endmacro %}

{% macro spark__parse_iso8601_utc(text_expr) -%}
    {#- Spark's cast reads the same ISO-8601 forms (with the session time zone UTC, set by the
        profile); the pattern keeps out the looser ones it would also accept. -#}
    case
        when {{ text_expr }} rlike
                '^{{ iso8601_pattern() }}$'
            then cast(
                case
                    when {{ text_expr }} rlike '([Zz]|[+-][0-9]{2}:[0-9]{2})$' then upper({{ text_expr }})
                    else upper({{ text_expr }}) || 'Z'
                end as timestamp
            )
    end
{%- endmacro %}

{#- epoch milliseconds (a bigint) as a UTC timestamp. -#}
{% macro epoch_ms_to_timestamp(ms_expr) -%}
    {{ return(adapter.dispatch('epoch_ms_to_timestamp', 'workbench')(ms_expr)) }}
{%- endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(ms_expr) -%}
    epoch_ms({{ ms_expr }})
{%- endmacro %}

{% macro spark__epoch_ms_to_timestamp(ms_expr) -%}
    timestamp_millis({{ ms_expr }})
{%- endmacro %}

{#- a timestamp literal for a Python datetime (e.g. run_started_at), in UTC. -#}
{% macro timestamp_literal(dt) -%}
    cast('{{ as_utc(dt).strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- whole milliseconds from `start_expr` to `end_expr`: the interval, exact to the microsecond,
    floored to the millisecond (so any negative interval stays negative). Not the difference of
    two rounded times: DuckDB's epoch_ms rounds, Spark's unix_millis truncates. -#}
{% macro ms_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('ms_between', 'workbench')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro duckdb__ms_between(start_expr, end_expr) -%}
    cast(floor((epoch_us({{ end_expr }}) - epoch_us({{ start_expr }})) / 1000) as bigint)
{%- endmacro %}

{% macro spark__ms_between(start_expr, end_expr) -%}
    cast(floor((unix_micros({{ end_expr }}) - unix_micros({{ start_expr }})) / 1000) as bigint)
{%- endmacro %}

{#- docs/specification.md, 'Bad input and reason codes': an event time is in range from 2000-01-01
    to 24 hours after the build started (dbt's run_started_at, so every model of one build agrees).
    -#}
{% macro latest_valid_timestamp() -%}
    ({{ timestamp_literal(run_started_at) }} + interval 24 hour)
{%- endmacro %}

{% macro valid_epoch_ms_range() -%}
    946684800000 and {{ (as_utc(run_started_at).timestamp() * 1000) | int + 86400000 }}
{%- endmacro %}

{#- a Python datetime made zone-aware UTC; a naive one (as dbt's run_started_at may be) is UTC. -#}
{% macro as_utc(dt) -%}
    {%- if dt.tzinfo is none -%}
        {{ return(dt.replace(tzinfo=modules.pytz.utc)) }}
    {%- else -%}
        {{ return(dt.astimezone(modules.pytz.utc)) }}
    {%- endif -%}
{%- endmacro %}
