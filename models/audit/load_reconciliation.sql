-- One row per raw file matched by raw_events_glob (empty files included):
-- lines_read = events_accepted + duplicates_dropped + events_quarantined.
with

raw_files as (
    select * from {{ ref('stg_workbench__raw_files') }}
),

validated_lines as (
    select * from {{ ref('stg_workbench__validated_lines') }}
),

line_counts as (
    select
        source_file,
        count(*) as lines_read,
        count(case when is_valid and not is_duplicate then 1 end) as events_accepted,
        count(case when is_valid and is_duplicate then 1 end) as duplicates_dropped,
        count(case when not is_valid then 1 end) as events_quarantined
    from validated_lines
    group by source_file
),

final as (
    select
        raw_files.source_file,
        coalesce(line_counts.lines_read, 0) as lines_read,
        coalesce(line_counts.events_accepted, 0) as events_accepted,
        coalesce(line_counts.duplicates_dropped, 0) as duplicates_dropped,
        coalesce(line_counts.events_quarantined, 0) as events_quarantined
    from raw_files
    left join line_counts
        on raw_files.source_file = line_counts.source_file
)

select * from final
