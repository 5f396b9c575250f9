-- One row per raw event file that is not loaded as JSON lines, with the reason: files the line
-- reader could not load (kept for good, like every verdict: the file's lines are in no other
-- table), and files the current listing skips (temporary or partial files, names the glob cannot
-- list), which are here while they are in the landing zone. docs/input.md lists the reasons.
with

raw_lines as (
    select * from {{ ref('base_workbench__raw_lines') }}
),

raw_files as (
    select * from {{ ref('base_workbench__raw_files') }}
),

unlisted_files as (
    select * from {{ ref('base_workbench__unlisted_files') }}
),

listing as (
    select * from {{ raw_file_listing() }}
),

rejected_files as (
    select
        raw_lines.source_file,
        raw_lines.file_reason as reason,
        raw_lines.file_detail as detail,
        raw_files.size_bytes,
        raw_lines.content_sha256,
        'quarantined' as disposition,
        raw_lines._batch_at as recorded_at
    from raw_lines
    inner join raw_files
        on raw_lines.source_file = raw_files.source_file
    where raw_lines.line_number = 0 and raw_lines.file_reason is not null
),

skipped_files as (
    select
        {{ project_relative_path('filename') }} as source_file,
        'temporary_file' as reason,
        'a temporary or partial file (a copy still being written): skipped, never loaded' as detail,
        size as size_bytes,
        cast(null as {{ dbt.type_string() }}) as content_sha256,
        'skipped' as disposition,
        {{ batch_at() }} as recorded_at
    from listing
    where {{ is_temporary_file('filename') }}
),

unnamed_files as (
    select
        source_file,
        reason,
        detail,
        size_bytes,
        cast(null as {{ dbt.type_string() }}) as content_sha256,
        'quarantined' as disposition,
        {{ batch_at() }} as recorded_at
    from unlisted_files
),

final as (
    select * from rejected_files
    union all
    select * from skipped_files
    union all
    select * from unnamed_files
)

select * from final
