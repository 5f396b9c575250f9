-- One row per CSV file matched by workflow_creations_glob; none when the var is '' (not
-- configured) or the glob matches nothing. Files without data rows are listed too, so the
-- reconciliation can show them.

with

matched_files as (
    select file from {{ workflow_creation_file_list() }} as listed
),

final as (
    select
        -- Named like the raw event files.
        {{ project_relative_path('file') }} as source_file,
        file as absolute_path
    from matched_files
)

select * from final
