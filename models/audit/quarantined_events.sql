-- One row per quarantined raw line (per log record of an OTLP line), with every reason code that
-- applies and, for an OTLP record, its position: (file, line, resource, scope, record index).
with

validated_lines as (
    select * from {{ ref('base_workbench__validated_lines') }}
),

final as (
    select
        source_file,
        line_number,
        raw_line,
        event_name,
        reasons,
        coalesce(record_number, 0) as record_number,
        resource_index,
        scope_index,
        record_index,
        coalesce(input_format, 'flat_json') as input_format
    from validated_lines
    where not is_valid
)

select * from final
