-- Every kept event: valid and the first copy of its event id. The typed per-event models and
-- everything downstream read this.
with

validated_lines as (
    select * from {{ ref('stg_workbench__validated_lines') }}
),

final as (
    select
        event_id,
        event_name,
        session_id,
        occurred_at,
        source_file,
        line_number,
        properties
    from validated_lines
    where is_valid and not is_duplicate
    order by event_name, occurred_at
)

select * from final
