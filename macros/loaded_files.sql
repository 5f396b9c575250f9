{#- Stops an incremental build when a raw file that was already loaded has changed (size or
    modification time), naming the files and the way out; notes the ones that disappeared. Its
    bytes are not hashed here: that is verify_files (the line reader). Runs while
    base_workbench__raw_files is compiled, before anything is written. -#}
{% macro check_loaded_files_unchanged(listing_sql) %}
    {%- if execute and is_incremental() -%}
        {%- set compare_sql -%}
            with

            listing as (
                select filename, size, cast(last_modified as timestamp) as modified_at
                from {{ listing_sql }}
            )

            select
                loaded.source_file,
                case
                    when listing.filename is null then 'no longer matched by raw_events_glob'
                    else 'size ' || loaded.size_bytes || ' -> ' || listing.size
                        || ' bytes, modified ' || loaded.modified_at || ' -> ' || listing.modified_at
                end as change
            from {{ this }} as loaded
            left join listing on loaded.absolute_path = listing.filename
            where
                listing.filename is null
                or listing.size <> loaded.size_bytes
                or listing.modified_at <> loaded.modified_at
            order by loaded.source_file
        {%- endset -%}
        {%- set changes = run_query(compare_sql) -%}
        {%- set changed = [] -%}
        {%- set missing = [] -%}
        {%- for row in changes.rows -%}
            {%- if row[1].startswith('no longer') -%}
                {%- do missing.append(row[0]) -%}
            {%- else -%}
                {%- do changed.append(row[0] ~ " (" ~ row[1] ~ ")") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if missing -%}
            {#- Landing zones prune old files; the warehouse keeps what it loaded from them. -#}
            {{ log("Note: " ~ missing | length ~ " raw file(s) loaded earlier are no longer matched by "
                ~ "raw_events_glob; their events stay in the warehouse (--full-refresh keeps them"
                ~ " too; to drop them, pass forget_files, docs/recovery.md): "
                ~ missing[:5] | join(", ") ~ (" ..." if missing | length > 5 else ""), info=True) }}
        {%- endif -%}
        {%- if changed -%}
            {%- set names = [] -%}
            {%- for row in changes.rows if not row[1].startswith('no longer') -%}
                {%- do names.append("'" ~ row[0] ~ "'") -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                changed | length ~ " raw file(s) changed after they were loaded: "
                ~ changed[:10] | join("; ") ~ (" ..." if changed | length > 10 else "")
                ~ ". Nothing was changed: their earlier lines are still in the warehouse. To load"
                ~ " them as they are now, keeping every other file's events, add reload_files: ["
                ~ names | join(", ") ~ "] to --vars (docs/recovery.md). If the change was a"
                ~ " mistake, restore the files as they were and run `dbt build` again; deliver new"
                ~ " data as new files."
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{#- Says which temporary or partial files (is_temporary_file) this build skips: they are never
    loaded, so a copy still being written is not read half way. -#}
{% macro note_temporary_files(listing_sql) %}
    {%- if execute -%}
        {%- set skipped = run_query(
            "select filename from " ~ listing_sql ~ " where " ~ is_temporary_file('filename')
            ~ " order by 1"
        ).columns[0].values() -%}
        {%- if skipped -%}
            {{ log("Note: skipped " ~ skipped | length ~ " temporary or partial file(s) (never"
                ~ " loaded; listed in audit.quarantined_files while they are there): "
                ~ skipped[:5] | join(", ") ~ (" ..." if skipped | length > 5 else ""), info=True) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
