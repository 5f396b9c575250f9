-- One row per event name the taxonomy does not know (reason unknown_event): how many lines,
-- first and last day, and where its first line is. The name is text the client sent, so an
-- e-mail address in it is redacted. The example line itself stays in the build file
-- (audit.quarantined_events, redacted): no raw line reaches the serving file's readers.
with

validated_lines as (
    select * from {{ ref('base_workbench__validated_lines') }}
),

lines_grouped as (
    select * from {{ ref('int_health_lines_grouped') }}
),

named as (
    select
        {{ redact_emails('event_name', '[REDACTED_EMAIL]') }} as event_name,
        event_date,
        lines
    from lines_grouped
    where reasons = 'unknown_event'
),

counted as (
    select
        event_name,
        cast(sum(lines) as bigint) as lines,
        min(event_date) as first_seen_date,
        max(event_date) as last_seen_date
    from named
    group by event_name
),

-- The first line of the name in (file, line) order.
examples as (
    select
        {{ redact_emails('event_name', '[REDACTED_EMAIL]') }} as event_name,
        source_file,
        line_number,
        row_number() over (
            partition by {{ redact_emails('event_name', '[REDACTED_EMAIL]') }}
            order by source_file, line_number
        ) as position
    from validated_lines
    where reasons = 'unknown_event'
),

final as (
    select
        counted.event_name,
        counted.lines,
        counted.first_seen_date,
        counted.last_seen_date,
        examples.source_file as example_source_file,
        examples.line_number as example_line_number
    from counted
    inner join examples
        on
            counted.event_name = examples.event_name
            and examples.position = 1
)

select * from final
