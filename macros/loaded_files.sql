{#- Stops an incremental build when a raw file that was already loaded has changed (size or
    modification time) or disappeared, naming the files and the way out. Runs while
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
                ~ "raw_events_glob; their events stay in the warehouse until a --full-refresh: "
                ~ missing[:5] | join(", ") ~ (" ..." if missing | length > 5 else ""), info=True) }}
        {%- endif -%}
        {%- if changed -%}
            {{ exceptions.raise_compiler_error(
                changed | length ~ " raw file(s) changed after they were loaded: "
                ~ changed[:10] | join("; ") ~ (" ..." if changed | length > 10 else "")
                ~ ". Their lines are already in the warehouse; re-reading them would count them twice"
                ~ " and ignoring the change would lose it. Restore the files as they were and deliver"
                ~ " new data as new files, or rebuild everything from the files as they are now with"
                ~ " `dbt build --full-refresh`."
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
