{{ config(
    materialized='view',
    meta={'tested_by_batch': true},
) }}
-- Every kept event: valid and the first copy of its event id, with one typed column per taxonomy
-- property (null where the event has no such property). The typed per-event models and
-- everything downstream read this.
-- A view over the verdicts, not a copy: the verdicts table already holds every typed column, and
-- a copy of the kept lines cost a second write of nearly every row (9.6 s of a 131 s full build
-- at 10M events). It needs no incremental logic of its own: a line whose verdict a build wrote or
-- re-decided carries that build's `_batch_at`, which is what the typed models and, through
-- `tested_by_batch`, this model's data tests (macros/test_rows.sql) filter on.
-- noqa: disable=LT02
-- (sqlfluff cannot place the indentation of SQL generated in Jinja loops and macros; every other
-- rule applies, and the generated shape is in target/compiled.)
{%- set properties = taxonomy_properties() %}
with

validated_lines as (
    select * from {{ ref('base_workbench__validated_lines') }}
),

final as (
    select
        event_id,
        event_name,
        source_file,
        line_number,
        {%- for property in properties %}
        {{ property.column }},
        {%- endfor %}
        _batch_at,
        -- Where the event came from: the record within an OTLP line, the format, and the
        -- emitting service and SDK (OTLP resource attributes; null on flat lines).
        coalesce(record_number, 0) as record_number,
        coalesce(input_format, 'flat_json') as input_format,
        origin_service_name,
        origin_service_version,
        origin_sdk_name,
        origin_sdk_language,
        origin_sdk_version
    from validated_lines
    where is_valid and not is_duplicate
)

select * from final
