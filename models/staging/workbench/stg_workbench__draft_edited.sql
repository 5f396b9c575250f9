{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='event_id',
    pre_hook="{{ delete_events_written_since_last_build() }}",
) }}
-- One row per kept `workbench.draft_edited` event, with its properties typed.
with

events as (
    select * from {{ ref('base_workbench__events') }}
    where
        event_name = 'workbench.draft_edited'
        and {{ is_new_since_last_build() }}
),

final as (
    select
        event_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        _batch_at,
        draft_id,
        edit_type,
        node_count,
        intent
    from events
)

select * from final
