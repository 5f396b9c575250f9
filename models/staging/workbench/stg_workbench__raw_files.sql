{{ config(materialized='incremental', incremental_strategy='append') }}
-- One row per raw event file ever loaded, with its size and modification time when it was
-- loaded. A build adds the files it has not seen; the line reader reads only those. A file that
-- changed after it was loaded stops the build (see check_loaded_files_unchanged): re-reading it
-- silently, or ignoring the change, would make the warehouse disagree with its files.
{%- set listing_sql = file_metadata("'" ~ resolved_path_setting('raw_events_glob') ~ "'") %}
{{ check_loaded_files_unchanged(listing_sql) }}
with

settings as (
    select * from {{ ref('stg_workbench__load_settings') }}
),

files as (
    select * from {{ listing_sql }}
),

listing as (
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
),

final as (
    select
        source_file,
        absolute_path,
        size_bytes,
        modified_at,
        {{ batch_at() }} as _batch_at
    from listing
    {%- if is_incremental() %}
        where source_file not in (select loaded.source_file from {{ this }} as loaded)
    {%- endif %}
)

select * from final
