{{ config(materialized='view') }}
-- One row per non-blank raw line: its JSON parsed once, the event name read, and the line-level
-- verdict (malformed, nameless or unknown) that stops any further property checks. A view:
-- stg_workbench__validated_lines reads it for the new lines only.
with

raw_lines as (
    select * from {{ ref('stg_workbench__raw_lines') }}
),

taxonomy_events as (
    select distinct event_name from {{ ref('event_taxonomy') }}
),

privacy_denylist as (
    select * from {{ ref('privacy_denylist') }}
),

-- The forbidden keys as one lower-case list.
denylist as (
    select {{ list_agg('lower(property_key)') }} as keys
    from privacy_denylist
),

trimmed as (
    select
        source_file,
        line_number,
        raw_line,
        {{ trim_blank('raw_line') }} as trimmed_line,
        is_valid_utf8,
        _batch_at
    from raw_lines
),

-- An object that names a key twice (at the top level or inside `properties`) has no one meaning:
-- RFC 8259 leaves it to the reader. It is malformed_json rather than read one way or another.
-- Nested CASE, not AND: the key check may only run on text that is a JSON object.
parsed as (
    select
        source_file,
        line_number,
        _batch_at,
        raw_line,
        trimmed_line,
        case
            when is_valid_utf8 and {{ json_is_object('trimmed_line') }}
                then
                    case
                        when not {{ json_has_duplicate_keys(json_from_text('trimmed_line'), 'properties') }}
                            then {{ json_from_text('trimmed_line') }}
                    end
        end as line_json
    from trimmed
),

named as (
    select
        parsed.*,
        case
            when {{ json_type_name(json_get('line_json', "'event'")) }} = 'VARCHAR'
                then {{ json_text('line_json', 'event') }}
        end as event_name
    from parsed
),

judged as (
    select
        named.source_file,
        named.line_number,
        named._batch_at,
        named.raw_line,
        named.trimmed_line,
        named.event_name,
        case
            when named.line_json is null then 'malformed_json'
            when named.event_name is null then 'missing_event_name'
            when taxonomy_events.event_name is null then 'unknown_event'
        end as line_reason,
        case
            when taxonomy_events.event_name is not null
                then {{ json_merge_properties('named.line_json', 'properties') }}
        end as properties_json
    from named
    left join taxonomy_events
        on named.event_name = taxonomy_events.event_name
),

final as (
    select
        judged.*,
        -- Forbidden keys of a taxonomy event, at the top level or inside `properties`: never
        -- stored, only noted. (Other lines are quarantined, and their text redacted.)
        case
            when judged.properties_json is not null
                then {{ json_denylisted_keys('judged.properties_json', 'denylist.keys') }}
        end as denylisted_keys
    from judged
    cross join denylist
)

select * from final
