-- One row per (taxonomy event, property, day) on which the event had lines: how each line of the
-- event carried the property (required and optional ones alike). Every received line is counted,
-- quarantined and duplicate ones too: this is what the clients sent, not what was kept.
with

lines_grouped as (
    select * from {{ ref('int_health_lines_grouped') }}
),

event_taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

event_days as (
    select
        event_name,
        event_date,
        cast(sum(lines) as bigint) as lines_received
    from lines_grouped
    where is_planned_event
    group by event_name, event_date
),

states as (
    select
        event_name,
        event_date,
        lines,
        {{ split_to_rows('property_states', ';') }} as property_state
    from lines_grouped
    where is_planned_event and property_states is not null
),

state_counts as (
    select
        event_name,
        event_date,
        split_part(property_state, ':', 1) as property_key,
        cast(sum(case when split_part(property_state, ':', 2) = 'absent' then lines else 0 end) as bigint) as lines_absent,
        cast(sum(case when split_part(property_state, ':', 2) = 'null' then lines else 0 end) as bigint) as lines_null,
        cast(sum(case when split_part(property_state, ':', 2) = 'blank' then lines else 0 end) as bigint) as lines_blank,
        cast(sum(case when split_part(property_state, ':', 2) = 'wrong' then lines else 0 end) as bigint) as lines_wrong
    from states
    group by event_name, event_date, split_part(property_state, ':', 1)
),

final as (
    select
        event_days.event_name,
        event_taxonomy.property_key,
        event_days.event_date,
        cast(event_taxonomy.is_required as boolean) as is_required,
        event_days.lines_received,
        event_days.lines_received
        - coalesce(state_counts.lines_absent, 0)
        - coalesce(state_counts.lines_null, 0)
        - coalesce(state_counts.lines_blank, 0)
        - coalesce(state_counts.lines_wrong, 0) as lines_present,
        coalesce(state_counts.lines_absent, 0) as lines_absent,
        coalesce(state_counts.lines_null, 0) as lines_null,
        coalesce(state_counts.lines_blank, 0) as lines_blank,
        coalesce(state_counts.lines_wrong, 0) as lines_wrong
    from event_days
    inner join event_taxonomy
        on event_days.event_name = event_taxonomy.event_name
    left join state_counts
        on
            event_days.event_name = state_counts.event_name
            and event_days.event_date = state_counts.event_date
            and event_taxonomy.property_key = state_counts.property_key
)

select * from final
