-- Every non-blank raw line, dated and grouped by what the health marts look at: one row per
-- (event name, day, outcome, reasons, property states, issues, unplanned keys, findings) with
-- the number of lines. Lines of one client build look alike, so a few rows per event and day
-- stand for millions of lines, and every health mart reads these instead of the lines.
-- A line is dated by its timestamp; one without a usable timestamp by its file's date= folder,
-- else by the day it was loaded (docs/health.md).
with

validated_lines as (
    select * from {{ ref('base_workbench__validated_lines') }}
),

taxonomy_events as (
    select distinct event_name from {{ ref('event_taxonomy') }}
),

dated as (
    select
        validated_lines.event_name,
        taxonomy_events.event_name is not null as is_planned_event,
        coalesce(
            case
                when coalesce(validated_lines.reasons, '') not like '%timestamp%'
                    then {{ period_start('day', 'validated_lines.occurred_at') }}
            end,
            {{ path_partition_date('validated_lines.source_file') }},
            {{ period_start('day', 'validated_lines._batch_at') }}
        ) as event_date,
        case
            when not validated_lines.is_valid then 'quarantined'
            when validated_lines.is_duplicate then 'duplicate'
            else 'kept'
        end as outcome,
        validated_lines.reasons,
        validated_lines.property_states,
        validated_lines.property_issues,
        validated_lines.unplanned_keys,
        validated_lines.privacy_findings,
        case
            when coalesce(validated_lines.reasons, '') not like '%timestamp%' then validated_lines.occurred_at
        end as occurred_at
    from validated_lines
    left join taxonomy_events
        on validated_lines.event_name = taxonomy_events.event_name
),

final as (
    select
        event_name,
        is_planned_event,
        event_date,
        outcome,
        reasons,
        property_states,
        property_issues,
        unplanned_keys,
        privacy_findings,
        count(*) as lines,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from dated
    group by
        event_name,
        is_planned_event,
        event_date,
        outcome,
        reasons,
        property_states,
        property_issues,
        unplanned_keys,
        privacy_findings
)

select * from final
