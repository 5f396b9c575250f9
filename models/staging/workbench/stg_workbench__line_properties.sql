{{ config(materialized='view') }}
-- One row per (line of a known event, taxonomy property of that event): the value found, whether
-- it is usable, its normalized text, and the reason code or property issue it raises. The rules
-- per value type are those of contract section 2; which properties an event has, and which are
-- required, comes from the event_taxonomy seed.
with

lines as (
    select * from {{ ref('stg_workbench__parsed_lines') }}
    where line_reason is null
),

taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

extracted as (
    select
        lines.source_file,
        lines.line_number,
        lines._batch_at,
        lines.event_name,
        taxonomy.property_key,
        taxonomy.is_required,
        taxonomy.value_type,
        taxonomy.allowed_values,
        {{ json_get('lines.properties_json', 'taxonomy.property_key') }} as value_json
    from lines
    inner join taxonomy
        on lines.event_name = taxonomy.event_name
),

typed as (
    select
        *,
        {{ json_type_name('value_json') }} as json_type,
        {{ json_scalar_text('value_json') }} as value_text
    from extracted
),

classified as (
    select
        *,
        json_type is null
        or json_type = 'NULL'
        or (json_type = 'VARCHAR' and {{ trim_blank('value_text') }} = '') as is_absent,
        case value_type
            when 'id' then json_type in ('VARCHAR', 'BIGINT', 'UBIGINT')
            when 'string' then json_type = 'VARCHAR'
            when 'enum' then json_type = 'VARCHAR'
            when 'count' then json_type in ('BIGINT', 'UBIGINT', 'DOUBLE')
            when 'boolean' then json_type = 'BOOLEAN'
            when 'id_list' then json_type = 'ARRAY'
            when 'timestamp' then json_type in ('VARCHAR', 'BIGINT', 'UBIGINT')
        end as is_right_type
    from typed
),

timestamps as (
    select
        *,
        case
            when value_type <> 'timestamp' or is_absent or not is_right_type then null
            when json_type = 'VARCHAR' then {{ parse_iso8601_utc(trim_blank('value_text')) }}
            -- Integers outside [2000-01-01, build + 24h] never reach the conversion, so an
            -- absurd value is out of range rather than an overflow error.
            when try_cast(value_text as bigint) between {{ valid_epoch_ms_range() }}
                then {{ epoch_ms_to_timestamp('cast(value_text as bigint)') }}
        end as timestamp_value,
        value_type = 'timestamp'
        and json_type in ('BIGINT', 'UBIGINT')
        and not coalesce(try_cast(value_text as bigint) between {{ valid_epoch_ms_range() }}, false)
            as is_epoch_out_of_range
    from classified
),

normalized as (
    select
        *,
        case
            when is_absent or not is_right_type then null
            when value_type in ('id', 'string', 'boolean') then value_text
            when
                value_type = 'enum'
                and {{ in_pipe_list('lower(' ~ trim_blank('value_text') ~ ')', 'allowed_values') }}
                then lower({{ trim_blank('value_text') }})
            -- A JSON integer is read as an integer: through a double it would be rounded above
            -- 2^53. From 2^63 on it is no count (no bigint holds it), nor when negative.
            when
                value_type = 'count'
                and json_type in ('BIGINT', 'UBIGINT')
                and try_cast(value_text as bigint) >= 0
                then cast(try_cast(value_text as bigint) as string)
            when
                value_type = 'count'
                and json_type = 'DOUBLE'
                and try_cast(value_text as double) >= 0
                and try_cast(value_text as double) = floor(try_cast(value_text as double))
                then cast(try_cast(try_cast(value_text as double) as bigint) as string)
            when value_type = 'id_list' and {{ json_string_array_is_valid('value_json') }}
                then {{ json_string_array_sorted_join('value_json', ',') }}
            when value_type = 'timestamp' then cast(timestamp_value as string)
        end as normalized_value
    from timestamps
),

-- Privacy (taxonomy section 2, issue 6): an identifier that is an e-mail address is replaced by
-- its salted hash (still joinable, no longer readable); an e-mail address inside any other text
-- is replaced by [REDACTED_EMAIL]; a referrer keeps scheme, host and path only.
protected as (
    select
        *,
        case
            when normalized_value is null then null
            when value_type = 'id' and {{ is_email('normalized_value') }} then 'email_hashed'
            when value_type in ('id', 'string', 'id_list') and {{ contains_email('normalized_value') }}
                then 'email_redacted'
        end as privacy_finding
    from normalized
),

protected_values as (
    select
        *,
        case
            when privacy_finding = 'email_hashed' then {{ pii_hash('normalized_value') }}
            when property_key = 'referrer'
                then {{ redact_emails(url_without_query('normalized_value'), '[REDACTED_EMAIL]') }}
            when privacy_finding = 'email_redacted'
                then {{ redact_emails('normalized_value', '[REDACTED_EMAIL]') }}
            else normalized_value
        end as stored_value
    from protected
),

final as (
    select
        source_file,
        line_number,
        _batch_at,
        event_name,
        property_key,
        is_required,
        value_type,
        json_type,
        normalized_value,
        stored_value,
        privacy_finding,
        timestamp_value,
        case
            when not is_required then null
            when is_absent then 'missing_required_property:' || property_key
            when value_type = 'timestamp' and is_epoch_out_of_range then 'timestamp_out_of_range'
            when value_type = 'timestamp' and timestamp_value is null then 'invalid_timestamp'
            when
                value_type = 'timestamp'
                and (
                    timestamp_value < cast('2000-01-01' as timestamp)
                    or timestamp_value > {{ latest_valid_timestamp() }}
                )
                then 'timestamp_out_of_range'
            when normalized_value is null then 'invalid_required_property:' || property_key
        end as reason,
        case
            when is_required or json_type is null or json_type = 'NULL' then null
            when is_absent then 'blank_value'
            when not is_right_type then 'wrong_type'
            when normalized_value is null then 'value_not_allowed'
        end as issue
    from protected_values
)

select * from final
