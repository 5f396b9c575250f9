-- One row per (taxonomy event, key) that lines of the event carried although the event's
-- taxonomy entry does not name it: an unplanned property (a new field, a typo such as
-- sessionID), or a forbidden key of seed privacy_denylist (is_denylisted: dropped with its value;
-- only counted). Never a value. Every received line counts, quarantined ones too.
with

lines_grouped as (
    select * from {{ ref('int_health_lines_grouped') }}
),

unplanned as (
    select
        event_name,
        event_date,
        lines,
        {{ split_to_rows('unplanned_keys', ';') }} as property_key
    from lines_grouped
    where is_planned_event and unplanned_keys is not null
),

findings as (
    select
        event_name,
        event_date,
        lines,
        {{ split_to_rows('privacy_findings', ';') }} as finding
    from lines_grouped
    where is_planned_event and privacy_findings is not null
),

keys as (
    select
        event_name,
        event_date,
        lines,
        property_key,
        false as is_denylisted
    from unplanned
    union all
    select
        event_name,
        event_date,
        lines,
        split_part(finding, ':', 1) as property_key,
        true as is_denylisted
    from findings
    where split_part(finding, ':', 2) = 'denylisted_key'
),

final as (
    select
        event_name,
        property_key,
        is_denylisted,
        cast(sum(lines) as bigint) as lines,
        min(event_date) as first_seen_date,
        max(event_date) as last_seen_date
    from keys
    group by event_name, property_key, is_denylisted
)

select * from final
