{{ config(materialized='view') }}
-- One row per raw line waiting for its verdict, with its JSON parsed once: the event name, the
-- eventId, the JSON value of every taxonomy property (at the top level, else inside
-- `properties`: the top level wins, its null included) and the keys of the line and of its
-- `properties` object. Everything after this reads these columns, never the text again.
-- The property columns are generated from the event_taxonomy seed (macros/taxonomy.sql).
-- noqa: disable=LT02
-- (sqlfluff cannot place the indentation of SQL generated in Jinja loops and macros; every other
-- rule applies, and the generated shape is in target/compiled.)
{%- set properties = taxonomy_properties() %}
{%- set paths = [['event'], ['eventId'], ['properties', 'eventId']] %}
{%- for property in properties %}
    {%- do paths.append([property.key]) %}
    {%- do paths.append(['properties', property.key]) %}
{%- endfor %}
with

-- (On DuckDB the reader also writes a row per file read, line_number 0, with no text.) A file
-- found unloadable part way (a truncated .gz) has its verdict there, and its lines are not judged.
raw_lines as (
    select * from {{ ref('base_workbench__raw_lines') }}
    where
        line_number > 0
        and source_file not in (
            select file_rows.source_file
            from {{ ref('base_workbench__raw_lines') }} as file_rows
            where file_rows.line_number = 0 and file_rows.file_reason is not null
        )
),

trimmed as (
    select
        source_file,
        line_number,
        _batch_at,
        raw_line,
        is_valid_utf8,
        {{ trim_blank('raw_line') }} as trimmed_line
    from raw_lines
),

checked as (
    select
        *,
        -- A trailing comma is no JSON (macros/engine/json.sql says why it needs its own test).
        is_valid_utf8
        and {{ json_is_object('trimmed_line') }}
        and not {{ json_has_trailing_comma('trimmed_line') }} as is_json_object
    from trimmed
),

-- The one parse of each line (per engine: macros/engine/json.sql).
parsed as (
    select
        source_file,
        line_number,
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
