-- One row per file matched by raw_events_glob. One listing that the line reader, the
-- reconciliation (which lists empty files too) and load tracking all share.
with

settings as (
    select * from {{ ref('stg_workbench__load_settings') }}
),

files as (
    select * from {{ file_metadata("'" ~ resolved_path_setting('raw_events_glob') ~ "'") }}
),

final as (
    select
        -- Files under the project are named relative to it, so tables do not depend on where
        -- the project is checked out.
        case
            when starts_with(files.filename, settings.project_root || '/')
                then substr(files.filename, length(settings.project_root) + 2)
            else files.filename
        end as source_file,
        files.filename as absolute_path,
        files.size as size_bytes,
        cast(files.last_modified as timestamp) as modified_at
    from files
    cross join settings
)

select * from final
