-- One row per source file: every raw event file matched by raw_events_glob and every CSV matched
-- by workflow_creations_glob (empty files included). Every line or row read ends in exactly one
-- place: records_read = events_accepted + duplicates_dropped + events_quarantined. A flat line or
-- CSV row is one record; an OTLP line holds many log records (or is one quarantined record when
-- it is no OTLP JSON), and a line with no log record at all holds nothing to count.
with

raw_files as (
    select * from {{ ref('base_workbench__raw_files') }}
),

validated_lines as (
    select * from {{ ref('base_workbench__validated_lines') }}
),

workflow_creation_files as (
    select * from {{ ref('stg_workflow_creations__files') }}
),

workflow_creation_rows as (
    select * from {{ ref('stg_workflow_creations__rows') }}
),

-- A line's records are numbered 0 (a flat line, or an OTLP line that is no OTLP JSON: one record)
-- or 1..n (the log records of an OTLP line), null on lines judged before record numbers existed
-- (all flat), so each line has exactly one record numbered 0 or 1 (or null): counting those counts
-- the lines without the distinct count over every line (a hash set per file: seconds at 10M).
line_counts as (
    select
        source_file,
        count(case when coalesce(record_number, 0) <= 1 then 1 end) as lines_read,
        count(*) as records_read,
        count(case when is_valid and not is_duplicate then 1 end) as events_accepted,
        count(case when is_valid and is_duplicate then 1 end) as duplicates_dropped,
        count(case when not is_valid then 1 end) as events_quarantined
    from validated_lines
    group by source_file
),

-- CSV rows map onto the same columns: a counted creation is "accepted", a row in
-- audit.workflow_creation_rejects "quarantined", and both a repeated workflow_id and a row made in
-- the workbench (which the events already count) are dropped duplicates, so the specification's
-- equation holds for every row; workbench_rows_ignored says how many of those were workbench rows.
workflow_creation_row_counts as (
    select
        source_file,
        count(*) as lines_read,
        count(case when row_outcome = 'counted' then 1 end) as events_accepted,
        count(case when row_outcome in ('duplicate', 'ignored_workbench') then 1 end) as duplicates_dropped,
        count(case when row_outcome = 'rejected' then 1 end) as events_quarantined,
        count(case when row_outcome = 'ignored_workbench' then 1 end) as workbench_rows_ignored
    from workflow_creation_rows
    group by source_file
),

raw_event_files as (
    select
        raw_files.source_file,
        'raw_events' as source_kind,
        coalesce(line_counts.lines_read, 0) as lines_read,
        coalesce(line_counts.events_accepted, 0) as events_accepted,
        coalesce(line_counts.duplicates_dropped, 0) as duplicates_dropped,
        coalesce(line_counts.events_quarantined, 0) as events_quarantined,
        cast(0 as bigint) as workbench_rows_ignored,
        coalesce(line_counts.records_read, 0) as records_read,
        coalesce(raw_files.input_format, 'flat_json') as input_format
    from raw_files
    left join line_counts
        on raw_files.source_file = line_counts.source_file
),

workflow_creation_csv_files as (
    select
        workflow_creation_files.source_file,
        'workflow_creations' as source_kind,
        coalesce(workflow_creation_row_counts.lines_read, 0) as lines_read,
        coalesce(workflow_creation_row_counts.events_accepted, 0) as events_accepted,
        coalesce(workflow_creation_row_counts.duplicates_dropped, 0) as duplicates_dropped,
        coalesce(workflow_creation_row_counts.events_quarantined, 0) as events_quarantined,
        coalesce(workflow_creation_row_counts.workbench_rows_ignored, 0) as workbench_rows_ignored,
        coalesce(workflow_creation_row_counts.lines_read, 0) as records_read,
        'csv' as input_format
    from workflow_creation_files
    left join workflow_creation_row_counts
        on workflow_creation_files.source_file = workflow_creation_row_counts.source_file
),

final as (
    select * from raw_event_files
    union all
    select * from workflow_creation_csv_files
)

select * from final
