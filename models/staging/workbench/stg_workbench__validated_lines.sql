-- One row per non-blank raw line with its verdict: valid (and then kept or a duplicate) or
-- quarantined with every reason code that applies (contract section 3).
with

lines as (
    select * from {{ ref('stg_workbench__parsed_lines') }}
),

line_properties as (
    select * from {{ ref('stg_workbench__line_properties') }}
),

property_verdicts as (
    select
        source_file,
        line_number,
        {{ sorted_string_agg('reason', ';') }} as property_reasons,
        max(case when property_key = 'timestamp' then timestamp_value end) as occurred_at,
        max(case when property_key = 'sessionId' then normalized_value end) as session_id,
        {{ json_object_agg('property_key', 'normalized_value') }} as properties
    from line_properties
    group by source_file, line_number
),

verdicts as (
    select
        lines.source_file,
        lines.line_number,
        lines.raw_line,
        lines.trimmed_line,
        lines.event_name,
        coalesce(lines.line_reason, property_verdicts.property_reasons) as reasons,
        property_verdicts.occurred_at,
        property_verdicts.session_id,
        property_verdicts.properties,
        -- eventId is envelope, not a taxonomy property: a non-blank string or an integer counts.
        case
            when
                {{ json_type_name(json_get('lines.properties_json', "'eventId'")) }}
                in ('VARCHAR', 'BIGINT', 'UBIGINT')
                and {{ trim_blank(json_text('lines.properties_json', 'eventId')) }} <> ''
                then {{ json_text('lines.properties_json', 'eventId') }}
        end as envelope_event_id
    from lines
    left join property_verdicts
        on
            lines.source_file = property_verdicts.source_file
            and lines.line_number = property_verdicts.line_number
),

final as (
    select
        source_file,
        line_number,
        raw_line,
        event_name,
        reasons,
        reasons is null as is_valid,
        occurred_at,
        session_id,
        properties,
        case
            when reasons is null then coalesce(envelope_event_id, {{ md5_hex('trimmed_line') }})
        end as event_id,
        -- The first copy in (file path, line number) order is kept; later copies are duplicates.
        case
            when reasons is null
                then row_number() over (
                    partition by
                        reasons is null,
                        coalesce(envelope_event_id, {{ md5_hex('trimmed_line') }})
                    order by source_file, line_number
                ) > 1
            else false
        end as is_duplicate
    from verdicts
)

select * from final
