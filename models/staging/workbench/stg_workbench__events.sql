{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='event_id',
) }}
-- Every kept event: valid and the first copy of its event id. The typed per-event models and
-- everything downstream read this. Incremental: the events whose kept copy a build wrote or
-- re-decided replace their earlier rows.
with

validated_lines as (
    select * from {{ ref('stg_workbench__validated_lines') }}
    where {{ is_new_since_last_build() }}
),

final as (
    select
        event_id,
        event_name,
        session_id,
        occurred_at,
        source_file,
        line_number,
        properties,
        {{ batch_at() }} as _batch_at
    from validated_lines
    where is_valid and not is_duplicate
    order by event_name, occurred_at
)

select * from final
