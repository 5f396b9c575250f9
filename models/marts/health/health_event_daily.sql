-- One row per (taxonomy event, day) for every day on which any line arrived: how many lines of
-- the event were received and what became of them. A day without a single line of the event is
-- a row of zeros, so a client that stopped sending it shows (and alerts) as a drop to 0.
with

lines_grouped as (
    select * from {{ ref('int_health_lines_grouped') }}
),

event_taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

taxonomy_events as (
    select distinct event_name from event_taxonomy
),

days as (
    select distinct event_date from lines_grouped
),

latest_day as (
    select max(event_date) as latest_date from days
),

event_days as (
    select
        taxonomy_events.event_name,
        days.event_date
    from taxonomy_events
    cross join days
),

counted as (
    select
        event_name,
        event_date,
        cast(sum(lines) as bigint) as lines_received,
        cast(sum(case when outcome = 'kept' then lines else 0 end) as bigint) as lines_kept,
        cast(sum(case when outcome = 'duplicate' then lines else 0 end) as bigint) as lines_duplicate,
        cast(sum(case when outcome = 'quarantined' then lines else 0 end) as bigint) as lines_quarantined,
        cast(sum(case when outcome = 'kept' and property_issues is not null then lines else 0 end) as bigint)
            as lines_kept_with_property_issue,
        cast(sum(case when unplanned_keys is not null then lines else 0 end) as bigint) as lines_with_unplanned_property,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at
    from lines_grouped
    where is_planned_event
    group by event_name, event_date
),

final as (
    select
        event_days.event_name,
        event_days.event_date,
        event_days.event_date = latest_day.latest_date as is_latest_day,
        coalesce(counted.lines_received, 0) as lines_received,
        coalesce(counted.lines_kept, 0) as lines_kept,
        coalesce(counted.lines_duplicate, 0) as lines_duplicate,
        coalesce(counted.lines_quarantined, 0) as lines_quarantined,
        coalesce(counted.lines_kept_with_property_issue, 0) as lines_kept_with_property_issue,
        coalesce(counted.lines_with_unplanned_property, 0) as lines_with_unplanned_property,
        counted.first_seen_at,
        counted.last_seen_at
    from event_days
    cross join latest_day
    left join counted
        on
            event_days.event_name = counted.event_name
            and event_days.event_date = counted.event_date
)

select * from final
