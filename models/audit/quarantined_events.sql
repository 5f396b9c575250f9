-- One row per quarantined raw line, with every reason code that applies.
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
        reasons
    from validated_lines
    where not is_valid
)

select * from final
