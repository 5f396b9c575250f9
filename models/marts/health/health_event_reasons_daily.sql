-- One row per (day, reason code, event) of quarantined lines: every reason code a line got
-- counts once (a line with two codes counts under both). Lines that name no taxonomy event
-- (malformed_json, missing_event_name, unknown_event) are under event_name '' so that every
-- reason of the day is in one place; marts.health_unplanned_events names the unknown events.
with

lines_grouped as (
    select * from {{ ref('int_health_lines_grouped') }}
),

quarantined as (
    select
        case when is_planned_event then event_name else '' end as event_name,
        event_date,
        reasons,
        lines
    from lines_grouped
    where outcome = 'quarantined'
),

codes as (
    select
        event_name,
        event_date,
        lines,
        {{ split_to_rows('reasons', ';') }} as reason_code
    from quarantined
),

final as (
    select
        event_date,
        reason_code,
        event_name,
        cast(sum(lines) as bigint) as lines
    from codes
    group by event_date, reason_code, event_name
)

select * from final
