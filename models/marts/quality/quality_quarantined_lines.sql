-- One row per quarantined raw event line (OTLP log record) and per rejected other-channel CSV row: where it is
-- and why, never its text. The readers' view of audit.quarantined_events and
-- audit.workflow_creation_rejects, whose raw text stays in the build file.
with

quarantined_events as (
    select * from {{ ref('quarantined_events') }}
),

workflow_creation_rejects as (
    select * from {{ ref('workflow_creation_rejects') }}
),

event_taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

-- An unknown `event` string is text the client sent: only taxonomy names are passed on.
known_event_names as (
    select distinct event_name from event_taxonomy
),

event_lines as (
    select
        'raw_events' as source_kind,
        quarantined_events.source_file,
        {{ path_partition_date('quarantined_events.source_file') }} as file_date,
        quarantined_events.line_number,
        known_event_names.event_name,
        {{ split_to_list('quarantined_events.reasons', ';') }} as reasons,
        quarantined_events.record_number
    from quarantined_events
    left join known_event_names
        on quarantined_events.event_name = known_event_names.event_name
),

csv_rows as (
    select
        'workflow_creations' as source_kind,
        source_file,
        {{ path_partition_date('source_file') }} as file_date,
        row_number as line_number,
        cast(null as string) as event_name,
        {{ split_to_list('reasons', ';') }} as reasons,
        cast(0 as bigint) as record_number
    from workflow_creation_rejects
),

final as (
    select * from event_lines
    union all
    select * from csv_rows
)

select * from final
