{{ config(materialized='view') }}
-- One row per raw line waiting for its verdict (per log record, for an OTLP line), with its JSON
-- parsed once: the event name, the eventId, the JSON value of every taxonomy property (at the top level, else inside
-- `properties`: the top level wins, its null included) and the keys of the line and of its
-- `properties` object. Everything after this reads these columns, never the text again.
-- The property columns are generated from the event_taxonomy seed (macros/taxonomy.sql).
-- noqa: disable=LT02
-- (sqlfluff cannot place the indentation of SQL generated in Jinja loops and macros; every other
-- rule applies, and the generated shape is in target/compiled.)
-- depends_on: {{ ref('otlp_attribute_names') }}
{%- set properties = taxonomy_properties() %}
{%- set paths = [['event'], ['eventId'], ['properties', 'eventId']] %}
{%- for property in properties %}
    {%- do paths.append([property.key]) %}
    {%- do paths.append(['properties', property.key]) %}
{%- endfor %}
with

-- The lines are where the reader wrote them (raw_line_rows): on DuckDB in the scratch database
-- the build's connection attaches, never in the warehouse file. So outside dbt this view cannot
-- be read (there is no `build_lines` catalog), and in any dbt process other than the build that
-- read the lines it is empty.
-- (On DuckDB the reader's own table holds a row per file read, line_number 0, with no text.) A
-- file found unloadable part way (a truncated .gz) has its verdict there, and its lines are not
-- judged.
raw_lines as (
    select
        source_file,
        line_number,
        raw_line,
        is_valid_utf8,
        _batch_at
    from {{ raw_line_rows() }}
    where
        line_number > 0
        and source_file not in (
            select file_rows.source_file
            from {{ ref('base_workbench__raw_lines') }} as file_rows
            where file_rows.line_number = 0 and file_rows.file_reason is not null
        )
),

otlp_files as (
    select source_file from {{ ref('base_workbench__raw_files') }}
    where input_format = 'otlp_json'
),

flat_lines as (
    select
        source_file,
        line_number,
        cast(0 as bigint) as record_number,
        cast(null as bigint) as resource_index,
        cast(null as bigint) as scope_index,
        cast(null as bigint) as record_index,
        _batch_at,
        raw_line,
        raw_line as event_text,
        is_valid_utf8 as is_readable,
        'flat_json' as input_format,
        {{ null_origin_columns() }}
    from raw_lines
    where source_file not in (select otlp_files.source_file from otlp_files)
),

otlp_lines as (
    select * from raw_lines
    where source_file in (select otlp_files.source_file from otlp_files)
),

-- Each OTLP log record as the flat event object it carries (macros/engine/otlp.sql); a line that
-- is no OTLP JSON is one row, unreadable. The record's flat object is also its stored text, so a
-- quarantined record is redacted exactly as a flat line is.
otlp_records as (
    select
        source_file,
        line_number,
        record_number,
        resource_index,
        scope_index,
        record_index,
        _batch_at,
        event_text as raw_line,
        event_text,
        is_readable,
        'otlp_json' as input_format,
        origin_service_name,
        origin_service_version,
        origin_sdk_name,
        origin_sdk_language,
        origin_sdk_version
    from {{ otlp_log_records('otlp_lines') }} as records
),

unioned as (
    select * from flat_lines
    union all
    select * from otlp_records
),

trimmed as (
    select
        *,
        {{ trim_blank('event_text') }} as trimmed_line
    from unioned
),

checked as (
    select
        *,
        -- A trailing comma is no JSON (macros/engine/json.sql says why it needs its own test).
        is_readable
        and {{ json_is_object('trimmed_line') }}
        and not {{ json_has_trailing_comma('trimmed_line') }} as is_json_object
    from trimmed
),

-- The one parse of each line (per engine: macros/engine/json.sql).
parsed as (
    select
        source_file,
        line_number,
        {{ record_metadata_columns() }},
        _batch_at,
        raw_line,
        trimmed_line,
        case when is_json_object then {{ json_extract_paths('trimmed_line', paths) }} end as json_values,
        case when is_json_object then {{ json_key_lists('trimmed_line', 'properties') }} end as json_keys
    from checked
),

final as (
    select
        source_file,
        line_number,
        {{ record_metadata_columns() }},
        _batch_at,
        raw_line,
        trimmed_line,
        -- An object that names a key twice (at the top level or inside `properties`) has no one
        -- meaning, so it counts as no JSON object at all.
        coalesce(json_values is not null and not {{ key_lists_have_duplicates('json_keys') }}, false)
            as is_json_object,
        json_keys,
        {%- for property in properties %}
        coalesce(
            {{ json_path_value('json_values', paths, 3 + 2 * loop.index0) }},
            {{ json_path_value('json_values', paths, 4 + 2 * loop.index0) }}
        ) as json__{{ property.column }},
        {%- endfor %}
        {{ json_path_value('json_values', paths, 0) }} as event_json,
        coalesce(
            {{ json_path_value('json_values', paths, 1) }},
            {{ json_path_value('json_values', paths, 2) }}
        ) as event_id_json
    from parsed
)

select * from final
