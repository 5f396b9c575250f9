{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='event_id',
    on_schema_change='append_new_columns',
) }}
-- Every kept event: valid and the first copy of its event id, with one typed column per taxonomy
-- property (null where the event has no such property). The typed per-event models and
-- everything downstream read this. Incremental: the events whose kept copy a build wrote or
-- re-decided replace their earlier rows.
-- noqa: disable=LT02
-- (sqlfluff cannot place the indentation of SQL generated in Jinja loops and macros; every other
-- rule applies, and the generated shape is in target/compiled.)
{%- set properties = taxonomy_properties() %}
with

validated_lines as (
    select * from {{ ref('base_workbench__validated_lines') }}
    where {{ is_new_since_last_build() }}
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
        {{ batch_at() }} as _batch_at,
        -- Where the event came from: the record within an OTLP line, the format, and the
        -- emitting service and SDK (OTLP resource attributes; null on flat lines).
        coalesce(record_number, 0) as record_number,
        coalesce(input_format, 'flat_json') as input_format,
        origin_service_name,
        origin_service_version,
        origin_sdk_name,
        origin_sdk_language,
        origin_sdk_version
    -- Not sorted: an `order by event_name, occurred_at` here let each typed model skip the row
    -- groups of other events, but at 10M events the sort cost more than it saved (this model
    -- and its direct children rebuilt, alternating runs: 77-93 s sorted, 51-62 s unsorted). An
    -- incremental build's rows are a few row groups of their own either way.
    from validated_lines
    where is_valid and not is_duplicate
)

select * from final
