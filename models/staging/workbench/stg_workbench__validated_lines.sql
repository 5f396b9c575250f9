{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['source_file', 'line_number'],
) }}
-- One row per non-blank raw line with its verdict: valid (and then kept or a duplicate) or
-- quarantined with every reason code that applies (contract section 3).
--
-- Incremental: a build judges only the lines read since the last one, but "kept" is decided over
-- every copy of an event id: when a new line shares its id with lines kept earlier, all copies
-- are ranked again by (file path, line number), so a late file that sorts first takes over as the
-- kept copy exactly as a full rebuild would decide. Every row written is stamped `_batch_at`.
with

lines as (
    select * from {{ ref('stg_workbench__parsed_lines') }}
    where {{ is_new_since_last_build() }}
),

line_properties as (
    select * from {{ ref('stg_workbench__line_properties') }}
    where {{ is_new_since_last_build() }}
),

privacy_denylist as (
    select * from {{ ref('privacy_denylist') }}
),

-- The forbidden keys as one regex alternation, for redacting the text of quarantined lines.
denylist as (
    select {{ listagg('property_key', "'|'") }} as keys_alternation
    from privacy_denylist
),

property_verdicts as (
    select
        source_file,
        line_number,
        {{ sorted_string_agg('reason', ';') }} as property_reasons,
        {{ sorted_string_agg("case when issue is not null then property_key || ':' || issue end", ';') }}
            as property_issues,
        max(case when property_key = 'timestamp' then timestamp_value end) as occurred_at,
        max(case when property_key = 'sessionId' then stored_value end) as session_id,
        {{ sorted_string_agg("case when privacy_finding is not null then property_key || ':' || privacy_finding end", ';') }}
            as property_privacy_findings,
        {{ json_object_agg('property_key', 'stored_value') }} as properties
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
        property_verdicts.property_issues,
        -- What privacy rules did to the line: forbidden keys dropped, e-mails hashed or redacted.
        nullif(concat_ws(
            ';',
            property_verdicts.property_privacy_findings,
            replace(lines.denylisted_keys, ';', ':denylisted_key;') || ':denylisted_key'
        ), '') as privacy_findings,
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

new_lines as (
    select
        verdicts.source_file,
        verdicts.line_number,
        -- Only a quarantined line keeps its text, and that with no forbidden value and no e-mail
        -- address; a valid line's forbidden keys and values are stored nowhere past
        -- stg_workbench__raw_lines.
        case
            when verdicts.reasons is not null
                then {{ redact_raw_text('verdicts.raw_line', 'denylist.keys_alternation') }}
        end as raw_line,
        verdicts.event_name,
        verdicts.reasons,
        verdicts.reasons is null as is_valid,
        verdicts.occurred_at,
        verdicts.session_id,
        verdicts.properties,
        verdicts.property_issues,
        verdicts.privacy_findings,
        case
            when verdicts.reasons is null
                then coalesce(verdicts.envelope_event_id, {{ md5_hex('verdicts.trimmed_line') }})
        end as event_id
    from verdicts
    cross join denylist
),

-- Valid lines of earlier builds that share an event id with a new valid line: ranked again
-- (none on a full build).
earlier_copies as (
    select
        source_file,
        line_number,
        raw_line,
        event_name,
        reasons,
        is_valid,
        occurred_at,
        session_id,
        properties,
        property_issues,
        privacy_findings,
        event_id
    {% if is_incremental() -%}
        from {{ this }}
        where
            is_valid
            and event_id in (select new_lines.event_id from new_lines where new_lines.is_valid)
    {%- else -%}
        from new_lines
        where false
    {%- endif %}
),

candidates as (
    select * from new_lines
    union all
    select * from earlier_copies
),

final as (
    select
        *,
        -- The first copy in (file path, line number) order is kept; later copies are duplicates.
        case
            when is_valid
                then row_number() over (
                    partition by event_id
                    order by source_file, line_number
                ) > 1
            else false
        end as is_duplicate,
        {{ batch_at() }} as _batch_at
    from candidates
)

select * from final
