{#- Per-file recovery (docs/recovery.md). The load history (base_workbench__raw_files, the line
    reader's file rows and base_workbench__validated_lines) is never rebuilt by --full-refresh:
    it holds the events of files the landing zone has pruned since. Instead, files are repaired
    one by one at the start of a build, before any model runs:

    - reload_files: forget what was loaded from these files, then read them again as they are now;
    - forget_files: forget what was loaded from these files (they must be gone from the landing
      zone, or the same build would read them again);
    - a file listed by a build that stopped before reading it is listed afresh (always).

    A build that repairs files rebuilds everything downstream of the verdicts whole
    (should_full_refresh below), so no row derived from a forgotten line survives. -#}

{% macro file_list_var(name) -%}
    {%- set value = var(name) -%}
    {%- if value is none or value == '' -%}
        {{ return([]) }}
    {%- elif value is string -%}
        {{ return([value]) }}
    {%- else -%}
        {{ return(value | list) }}
    {%- endif -%}
{%- endmacro %}

{% macro files_repaired() -%}
    {{ return((file_list_var('reload_files') + file_list_var('forget_files')) | length > 0) }}
{%- endmacro %}

{% macro is_true_var(name) -%}
    {{ return(var(name) | string | lower in ['true', '1', 'yes']) }}
{%- endmacro %}

{#- dbt's own macro, overridden: a history model (configured full_refresh: false) is rebuilt only
    with rebuild_history; every other model also builds whole when files are repaired. -#}
{% macro should_full_refresh() %}
    {%- set configured = config.get('full_refresh') -%}
    {%- if configured is not none and configured | string | lower == 'false' -%}
        {{ return(is_true_var('rebuild_history')) }}
    {%- elif configured is not none -%}
        {{ return(configured | string | lower == 'true') }}
    {%- endif -%}
    {{ return(flags.FULL_REFRESH or files_repaired()) }}
{% endmacro %}

{% macro sql_string_list(values) -%}
    ({%- for value in values -%}{{ string_literal(value) }}{{ ", " if not loop.last }}{%- endfor -%})
{%- endmacro %}

{% macro repair_files() %}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set raw_files = adapter.get_relation(target.database, 'staging', 'base_workbench__raw_files') -%}
        {%- set raw_lines = adapter.get_relation(target.database, 'staging', 'base_workbench__raw_lines') -%}
        {%- set verdicts = adapter.get_relation(target.database, 'staging', 'base_workbench__validated_lines') -%}
        {%- set reload, forget = file_list_var('reload_files'), file_list_var('forget_files') -%}
        {%- if is_true_var('rebuild_history') and raw_files is not none -%}
            {{ check_history_rebuild(raw_files) }}
        {%- endif -%}
        {#- Listed by a build that stopped before the reader recorded them (all of them when the
            reader never ran): listed again, as they are now (changed, replaced or gone), so a
            retry never trips over them. -#}
        {%- if raw_files is not none and raw_lines is not none -%}
            {%- do run_query(
                "delete from " ~ raw_files ~ " where source_file not in (select source_file from "
                ~ raw_lines ~ " where line_number = 0)"
            ) -%}
        {%- elif raw_files is not none -%}
            {%- do run_query("delete from " ~ raw_files) -%}
        {%- endif -%}
        {%- if reload or forget -%}
            {%- if raw_files is none or raw_lines is none or verdicts is none -%}
                {{ exceptions.raise_compiler_error(
                    "reload_files / forget_files: this warehouse (" ~ target.path ~ ") has no load"
                    ~ " history yet. Run a plain `dbt build` first, without these vars."
                ) }}
            {%- endif -%}
            {{ repair_named_files(raw_files, raw_lines, verdicts, reload, forget) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{% macro repair_named_files(raw_files, raw_lines, verdicts, reload, forget) %}
    {%- set names = sql_string_list(reload + forget) -%}
    {%- set found = run_query(
        "select source_file, absolute_path from " ~ raw_files
        ~ " where source_file in " ~ names ~ " or absolute_path in " ~ names
    ) -%}
    {%- set known = [] -%}
    {%- for row in found.rows -%}
        {%- do known.extend([row[0], row[1]]) -%}
    {%- endfor -%}
    {%- set unknown = [] -%}
    {%- for name in reload + forget -%}
        {%- if name not in known -%}{%- do unknown.append(name) -%}{%- endif -%}
    {%- endfor -%}
    {%- if unknown -%}
        {{ exceptions.raise_compiler_error(
            "reload_files / forget_files name " ~ unknown | length ~ " file(s) this warehouse never"
            ~ " loaded: " ~ unknown[:10] | join(", ") ~ ". Nothing was changed. Name files as"
            ~ " audit.load_reconciliation.source_file shows them (or by absolute path)."
        ) }}
    {%- endif -%}
    {%- if forget -%}
        {%- set present = run_query(
            "select files.source_file from " ~ raw_files ~ " as files inner join "
            ~ raw_file_listing()
            ~ " as listing on files.absolute_path = listing.filename"
            ~ " where files.source_file in " ~ sql_string_list(forget)
            ~ " or files.absolute_path in " ~ sql_string_list(forget)
        ).columns[0].values() -%}
        {%- if present -%}
            {{ exceptions.raise_compiler_error(
                "forget_files names " ~ present | length ~ " file(s) still matched by raw_events_glob: "
                ~ present[:10] | join(", ") ~ ". Nothing was changed. Move them out of the landing"
                ~ " zone first (else this build would load them again), or use reload_files to"
                ~ " load them as they are now."
            ) }}
        {%- endif -%}
    {%- endif -%}
    {%- set repaired -%}
        (select source_file from {{ raw_files }} where source_file in {{ names }} or absolute_path in {{ names }})
    {%- endset -%}
    {%- set lost = run_query(
        "select count(*) from " ~ verdicts ~ " where is_valid and not is_duplicate and source_file in " ~ repaired
    ).columns[0].values()[0] -%}
    {#- Copies of the same event in other files take over, ranked as a full rebuild ranks them. -#}
    {%- set statements -%}
        begin transaction;
        update {{ verdicts }} as lines
        set is_duplicate = ranked.is_later_copy
        from (
            select
                source_file,
                line_number,
                coalesce(record_number, 0) as record_number,
                row_number() over (
                    partition by event_id order by source_file, line_number, coalesce(record_number, 0)
                ) > 1 as is_later_copy
            from {{ verdicts }}
            where
                is_valid
                and source_file not in {{ repaired }}
                and event_id in (
                    select event_id from {{ verdicts }} where is_valid and source_file in {{ repaired }}
                )
        ) as ranked
        where
            lines.source_file = ranked.source_file
            and lines.line_number = ranked.line_number
            and coalesce(lines.record_number, 0) = ranked.record_number;
        delete from {{ verdicts }} where source_file in {{ repaired }};
        delete from {{ raw_lines }} where source_file in {{ repaired }};
        delete from {{ raw_files }} where source_file in {{ repaired }};
        commit;
    {%- endset -%}
    {%- do run_query(statements) -%}
    {{ log("Repairing " ~ (reload + forget) | length ~ " raw file(s): " ~ lost ~ " kept event(s)"
        ~ " forgotten; " ~ reload | length ~ " file(s) to read again (" ~ reload[:5] | join(", ")
        ~ "), " ~ forget | length ~ " dropped (" ~ forget[:5] | join(", ") ~ "). Everything"
        ~ " downstream of the verdicts is rebuilt whole.", info=True) }}
{% endmacro %}

{#- rebuild_history rebuilds the load history from the files there are now: refused while loaded
    files are missing, naming the events that would be lost, unless discard_missing_files. -#}
{% macro check_history_rebuild(raw_files) %}
    {%- set events = adapter.get_relation(target.database, 'staging', 'base_workbench__events') -%}
    {%- set missing_sql -%}
        select files.source_file
        from {{ raw_files }} as files
        left join {{ raw_file_listing() }} as listing
            on files.absolute_path = listing.filename
        where listing.filename is null
    {%- endset -%}
    {%- set missing = run_query(missing_sql ~ " order by 1").columns[0].values() -%}
    {%- if missing and not is_true_var('discard_missing_files') -%}
        {%- set lost = 0 -%}
        {%- if events is not none -%}
            {%- set lost = run_query(
                "select count(*) from " ~ events ~ " where source_file in (" ~ missing_sql ~ ")"
            ).columns[0].values()[0] -%}
        {%- endif -%}
        {{ exceptions.raise_compiler_error(
            "rebuild_history would rebuild the load history from the files there are now and lose "
            ~ lost ~ " event(s) of " ~ missing | length ~ " loaded file(s) no longer matched by"
            ~ " raw_events_glob: " ~ missing[:5] | join(", ") ~ (" ..." if missing | length > 5 else "")
            ~ ". Nothing was changed. Put those files back and run it again, or, to rebuild anyway"
            ~ " and lose those events, also pass discard_missing_files: true."
        ) }}
    {%- endif -%}
{% endmacro %}
