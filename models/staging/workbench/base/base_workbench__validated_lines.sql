{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['source_file', 'line_number', 'record_number'],
    full_refresh=false,
    on_schema_change='append_new_columns',
    post_hook=[
        "{{ rank_later_copies() }}",
        "{{ record_watermark() }}",
        {'sql': "{{ forget_raw_text() }}", 'transaction': target.type != 'duckdb'},
    ],
) }}
-- One row per non-blank raw line (per log record of an OTLP line: record_number) with its verdict: valid (and then kept or a duplicate) or
-- quarantined with every reason code that applies, plus the event's properties as typed columns.
-- Set-wise: one row per line, one column per taxonomy property. The per-property columns are
-- generated from the event_taxonomy seed (macros/taxonomy.sql, macros/property_rules.sql); read
-- target/compiled for the generated shape.
--
-- Incremental: a build judges only the lines read since the last one, but "kept" is decided over
-- every copy of an event id: when a new line shares its id with lines kept earlier, all copies
-- are ranked again by (file path, line number), so a late file that sorts first takes over as the
-- kept copy exactly as a full rebuild would decide. Every row written, or re-decided, is stamped
-- `_batch_at`. Once the verdicts are written, the post-hooks rank the copies, record this build's
-- stamp in staging.mart_watermarks (the line reader reads it: every file read up to it has been
-- judged, also one that gave no verdict) and forget the raw text of the lines judged (on DuckDB
-- after the verdicts are committed, outside their transaction: a DuckDB transaction writes to one
-- database, and the lines are in the scratch one). Part of the load history, so --full-refresh leaves it alone
-- (docs/recovery.md).
-- noqa: disable=LT02
-- (sqlfluff cannot place the indentation of SQL generated in Jinja loops and macros; every other
-- rule applies, and the generated shape is in target/compiled.)
{%- set properties = taxonomy_properties() %}
{%- set event_count = taxonomy_event_count(properties) %}
{%- set denylist = privacy_denylist() %}
with

lines as (
    select * from {{ ref('base_workbench__parsed_lines') }}
    where {{ is_new_since_last_build() }}
),

-- Each event's planned keys: any other key a client sends is an unplanned property.
taxonomy_events as (
    select
        event_name,
        {{ list_agg('property_key') }} as planned_keys
    from {{ ref('event_taxonomy') }}
    group by event_name
),

named as (
    select
        *,
        -- Not read from an object that names a key twice: which of its `event`s would it be?
        case
            when is_json_object and {{ json_type_name('event_json') }} = 'VARCHAR'
                then {{ json_scalar_text('event_json') }}
        end as event_name
    from lines
),

-- The line-level verdict, which stops every property check.
judged as (
    select
        named.*,
        taxonomy_events.planned_keys,
        case
            when not named.is_json_object then 'malformed_json'
            when named.event_name is null then 'missing_event_name'
            when taxonomy_events.event_name is null then 'unknown_event'
        end as line_reason
    from named
    left join taxonomy_events
        on named.event_name = taxonomy_events.event_name
),

-- Per property of the line's event: the JSON type and text of its value (null for a property
-- the event does not have, and on a line that failed the line-level checks).
typed as (
    select
        {%- for property in properties %}
        {%- set known = 'line_reason is null and ' ~ event_in(property.events, event_count) %}
        case when {{ known }} then {{ json_type_name('json__' ~ property.column) }} end
            as type__{{ property.column }},
        case when {{ known }} then {{ json_scalar_text('json__' ~ property.column) }} end
            as text__{{ property.column }},
        {%- endfor %}
        judged.*
    from judged
),

-- Absent means: no key, JSON null, or a blank string.
presence as (
    select
        {%- for property in properties %}
        (
            type__{{ property.column }} is null
            or type__{{ property.column }} = 'NULL'
            or (type__{{ property.column }} = 'VARCHAR' and {{ is_blank('text__' ~ property.column) }})
        ) as is_absent__{{ property.column }},
        {%- endfor %}
        typed.*
    from typed
),

-- The usable value of each property, typed; null when absent, of the wrong type or not allowed.
normalized as (
    select
        {%- for property in properties %}
        -- {{ property.key }}
        {%- for rule in property.rules %}: {{ rule.value_type }}{{ ' (' ~ rule.allowed_values ~ ')' if rule.allowed_values }} in {{ rule.events | length }} event(s){% endfor %}
        {%- if property.rules | length == 1 %}
        {{ property_is_right_type(property.value_type, property.column) }} as is_right_type__{{ property.column }},
        {%- else %}
        case
            {%- for rule in property.rules %}
            when {{ event_in(rule.events, event_count) }} then {{ property_is_right_type(rule.value_type, property.column) }}
            {%- endfor %}
            else false
        end as is_right_type__{{ property.column }},
        {%- endif %}
        case
            when is_absent__{{ property.column }} then null
            {%- for rule in property.rules %}
            when
                {% if property.rules | length > 1 %}{{ event_in(rule.events, event_count) }} and {% endif -%}
                {{ property_is_right_type(rule.value_type, property.column) }}
                then {{ property_normalized_value(rule.value_type, rule.allowed_values, property.column) }}
            {%- endfor %}
        end as value__{{ property.column }},
        {%- endfor %}
        presence.*
    from presence
),

-- Privacy: an identifier that is an e-mail address is replaced by its salted hash (still
-- joinable, no longer readable); an e-mail address inside any other text is replaced by
-- [REDACTED_EMAIL]; a referrer keeps scheme, host and path only, and is searched with its
-- percent-encoded `@` (`%40`) read as one, as a browser writes an address in a path
-- (docs/privacy.md).
protected as (
    select
        {%- for property in properties %}
        {%- if property.key == 'referrer' %}
        {{ property_privacy_finding(property.value_type, "replace(value__" ~ property.column ~ ", '%40', '@')") }}
        {%- elif property.rules | length == 1 %}
        {{ property_privacy_finding(property.value_type, 'value__' ~ property.column) }}
        {%- else %}
        case
            {%- for rule in property.rules %}
            when {{ event_in(rule.events, event_count) }} then {{ property_privacy_finding(rule.value_type, 'value__' ~ property.column) }}
            {%- endfor %}
        end
        {%- endif %} as finding__{{ property.column }},
        {%- endfor %}
        normalized.*
    from normalized
),

verdicts as (
    select
        *,
        -- Required properties: the reason codes; optional ones: the issues.
        {%- for property in properties %}
        {%- set c = property.column %}
        case
            when {{ event_in(property.required_events, event_count) }}
                then
                    case
                        when is_absent__{{ c }} then 'missing_required_property:{{ property.key }}'
                        {%- if property.value_type == 'timestamp' %}
                        when
                            type__{{ c }} in ('BIGINT', 'UBIGINT')
                            and not coalesce(try_cast(text__{{ c }} as bigint) between {{ valid_epoch_ms_range() }}, false)
                            then 'timestamp_out_of_range'
                        when value__{{ c }} is null then 'invalid_timestamp'
                        when
                            value__{{ c }} < cast('2000-01-01' as timestamp)
                            or value__{{ c }} > {{ latest_valid_timestamp() }}
                            then 'timestamp_out_of_range'
                        {%- endif %}
                        when value__{{ c }} is null then 'invalid_required_property:{{ property.key }}'
                    end
        end as reason__{{ c }},
        case
            when {{ event_in(property.optional_events, event_count) }} and type__{{ c }} is not null and type__{{ c }} <> 'NULL'
                then
                    case
                        when is_absent__{{ c }} then 'blank_value'
                        when not is_right_type__{{ c }} then 'wrong_type'
                        when value__{{ c }} is null then 'value_not_allowed'
                    end
        end as issue__{{ c }},
        {%- endfor %}
        case
            when
                line_reason is null
                and {{ json_type_name('event_id_json') }} in ('VARCHAR', 'BIGINT', 'UBIGINT')
                and not {{ is_blank(json_scalar_text('event_id_json')) }}
                then {{ json_scalar_text('event_id_json') }}
        end as envelope_event_id
    from protected
),

-- The line's verdict, issues and findings as sorted `;`-joined lists, and the stored values.
summarized as (
    select
        verdicts.*,
        {%- set reasons, issues, findings = [], [], [] %}
        {%- for property in properties %}
            {%- if property.required_events %}{% do reasons.append('reason__' ~ property.column) %}{% endif %}
            {%- if property.optional_events %}
                {%- do issues.append("'" ~ property.key ~ ":' || issue__" ~ property.column) %}
            {%- endif %}
            {%- if property.rules | selectattr('value_type', 'in', ['id', 'string', 'id_list']) | list %}
                {%- do findings.append("'" ~ property.key ~ ":' || finding__" ~ property.column) %}
            {%- endif %}
        {%- endfor %}
        coalesce(verdicts.line_reason, {{ sorted_join(reasons, ';') }}) as reasons,
        {{ sorted_join(issues, ';') }} as property_issues,
        {{ sorted_join(findings, ';') }} as property_privacy_findings,
        case
            when verdicts.line_reason is null
                then {{ denylisted_keys('verdicts.json_keys', string_list_literal(denylist['keys'])) }}
        end as denylisted_keys,
        -- Keys the event's taxonomy entry does not name (a new field, a typo such as sessionID):
        -- named, never with their values; an e-mail address written as a key is redacted.
        case
            when verdicts.line_reason is null
                then {{ redact_emails(
                    unplanned_keys('verdicts.json_keys', 'verdicts.planned_keys', string_list_literal(denylist['keys'])),
                    '[REDACTED_EMAIL]'
                ) }}
        end as unplanned_keys,
        -- How each property of the event arrived when it was not usable, for the plan-coverage
        -- marts: absent (no key), null (JSON null), blank, or wrong (type or value); `key:state`,
        -- `;`-joined in key order. One branch per event, naming only that event's properties, so
        -- a line looks at its own few properties once (concat_ws skips the usable ones' nulls).
        case
            when verdicts.line_reason is null then case verdicts.event_name
            {%- for event in taxonomy_events(properties) %}
                {%- set states = [] %}
                {%- for property in properties if event in property.events %}
                    {%- do states.append([property.key ~ ':', property]) %}
                {%- endfor %}
                when '{{ event }}' then nullif(concat_ws(';'
                {%- for key, property in states | sort(attribute='0') %}
                    {%- set c = property.column %},
                    case
                        when verdicts.type__{{ c }} is null then '{{ key }}absent'
                        when verdicts.type__{{ c }} = 'NULL' then '{{ key }}null'
                        when verdicts.is_absent__{{ c }} then '{{ key }}blank'
                        when verdicts.value__{{ c }} is null or verdicts.reason__{{ c }} is not null then '{{ key }}wrong'
                    end
                {%- endfor %}
                ), '')
            {%- endfor %}
            end
        end as property_states
    from verdicts
),

new_lines as (
    select
        source_file,
        line_number,
        {{ record_metadata_columns() }},
        -- Only a quarantined line keeps its text, and that with no forbidden value and no e-mail
        -- address; a valid line's forbidden keys and values are stored nowhere. The forbidden keys
        -- are constants (macros/taxonomy.sql, privacy_denylist), so the regex is compiled once.
        case
            when reasons is not null
                then {{ redact_raw_text('raw_line', string_literal(denylist['keys_alternation'])) }}
        end as raw_line,
        event_name,
        reasons,
        reasons is null as is_valid,
        property_issues,
        -- What privacy rules did to the line: forbidden keys dropped, e-mails hashed or redacted.
        nullif(concat_ws(
            ';',
            property_privacy_findings,
            replace(denylisted_keys, ';', ':denylisted_key;') || ':denylisted_key'
        ), '') as privacy_findings,
        unplanned_keys,
        property_states,
        case when reasons is null then coalesce(envelope_event_id, {{ md5_hex('trimmed_line') }}) end as event_id,
        {%- for property in properties %}
        {%- set c = property.column %}
        {%- if property.rules | selectattr('value_type', 'in', ['id', 'string', 'id_list']) | list %}
        case
            when finding__{{ c }} = 'email_hashed' then {{ pii_hash('value__' ~ c) }}
            {%- if property.key == 'referrer' %}
            when finding__{{ c }} = 'email_redacted'
                then {{ redact_emails(url_without_query("replace(value__" ~ c ~ ", '%40', '@')"), '[REDACTED_EMAIL]') }}
            when value__{{ c }} is not null then {{ url_without_query('value__' ~ c) }}
            {%- endif %}
            when finding__{{ c }} = 'email_redacted' then {{ redact_emails('value__' ~ c, '[REDACTED_EMAIL]') }}
            else value__{{ c }}
        end as {{ c }},
        {%- else %}
        value__{{ c }} as {{ c }},
        {%- endif %}
        {%- endfor %}
        _batch_at
    from summarized
),

-- The first copy of an event id in (file path, line number, record number) order is kept; later copies are
-- duplicates (macros/engine/duplicates.sql). On DuckDB the lines are written first and the
-- post-hook ranks the copies of the ids this build touched, in the written table: a narrow pass
-- over a stored table rather than holding every line of the build while the copies are counted.
final as (
    {{ flag_later_copies('new_lines', 'event_id', 'is_valid', ['source_file', 'line_number', 'record_number'], 'is_duplicate') }}
)

select
    source_file,
    line_number,
    raw_line,
    event_name,
    reasons,
    is_valid,
    property_issues,
    privacy_findings,
    unplanned_keys,
    property_states,
    event_id,
    {%- for property in properties %}
    {{ property.column }},
    {%- endfor %}
    is_duplicate,
    {{ batch_at() }} as _batch_at,
    {{ record_metadata_columns(indent=4) }},
    -- The content base_workbench__event_id_conflicts compares, as one hash, so that it reads the
    -- wide rows only of copies whose hashes differ.
    case
        when is_valid then {{ content_hash(['event_name'] + properties | map(attribute='column') | list) }}
    end as content_hash
from final
