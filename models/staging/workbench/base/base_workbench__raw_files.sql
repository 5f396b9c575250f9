{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}
-- One row per raw event file ever loaded, with its size and modification time when it was
-- loaded. A build adds the files it has not seen; the line reader reads only those. A file that
-- changed after it was loaded stops the build (see check_loaded_files_unchanged): re-reading it
-- silently, or ignoring the change, would make the warehouse disagree with its files.
-- Part of the load history, so --full-refresh leaves it alone (docs/recovery.md). Temporary and
-- partial files (is_temporary_file) are never listed: they are noted in audit.quarantined_files.
-- Both raw formats are listed here (macros/raw_inputs.sql), each file with its input_format; a
-- warehouse built before OTLP input existed gets the column added, null on its (flat) files.
{%- set listing_sql = raw_file_listing() %}
{{ check_loaded_files_unchanged(listing_sql) }}
{{ note_temporary_files(listing_sql) }}
-- Built after base_workbench__load_settings, which stops the build when the glob matches nothing.
-- depends_on: {{ ref('base_workbench__load_settings') }}
with

files as (
    select * from {{ listing_sql }}
),

listing as (
    select
        {{ project_relative_path('filename') }} as source_file,
        filename as absolute_path,
        size as size_bytes,
        cast(last_modified as timestamp) as modified_at,
        input_format
    from files
    where not {{ is_temporary_file('filename') }}
),

final as (
    select
        source_file,
        absolute_path,
        size_bytes,
        modified_at,
        {{ batch_at() }} as _batch_at,
        input_format
    from listing
    {%- if is_incremental() %}
        where source_file not in (select loaded.source_file from {{ this }} as loaded)
    {%- endif %}
)

select * from final
