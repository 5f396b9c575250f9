{#- De-duplication: among the valid lines, the first copy of an event id in (file path, line
    number, record number) order is kept (a flat line is record 0; an OTLP line's records 1..n) and later copies are duplicates.

    flag_later_copies(relation, ...) is the select that base_workbench__validated_lines writes:
    every row of `relation` plus `flag_name`, true for a row where `condition` holds that is not
    the first, in `position_columns` order, of the rows with its `key` and the condition. -#}
{% macro flag_later_copies(relation, key, condition, position_columns, flag_name) -%}
    {{ return(adapter.dispatch('flag_later_copies', 'workbench')(relation, key, condition, position_columns, flag_name)) }}
{%- endmacro %}

{% macro duckdb__flag_later_copies(relation, key, condition, position_columns, flag_name) -%}
    {#- Written as not duplicate; rank_later_copies (the model's post-hook) then flags the later
        copies in the written table. Counting the copies here would hold every line of the build,
        with all its columns, until the last was read: at 10M lines that spills to disk. -#}
    select
        *,
        false as {{ flag_name }}
    from {{ relation }}
{%- endmacro %}

{% macro spark__flag_later_copies(relation, key, condition, position_columns, flag_name) -%}
    {#- One window. Spark rebuilds the table whole every build, so it ranks every line. -#}
    select
        *,
        case
            when {{ condition }}
                then row_number() over (partition by {{ key }} order by {{ position_columns | join(', ') }}) > 1
            else false
        end as {{ flag_name }}
    from {{ relation }}
{%- endmacro %}

{#- The post-hook of base_workbench__validated_lines. On DuckDB: the copies of every event id that
    a valid line of this build carries are ranked again over the whole table (earlier builds'
    lines included), and each row whose verdict changes gets it, stamped with this build's
    `_batch_at`: a late file that sorts first takes over as the kept copy, as a full rebuild would
    decide. Only ids with more than one copy are ranked. Nothing to do on Spark. -#}
{% macro rank_later_copies() -%}
    {{ return(adapter.dispatch('rank_later_copies', 'workbench')()) }}
{%- endmacro %}

{% macro duckdb__rank_later_copies() -%}
    {#- Two ways to find the copies, the same rows either way. When every row of the table carries
        this build's stamp (the first build, or every line judged again), one count per id over
        the table. Otherwise the ids this build's lines carry, joined to the table. At 10M lines,
        in the benchmark's builds: a full build's ranking took 3.9-4.3 s the second way and
        1.5-1.7 s the first; an incremental build's took 0.3 s the second way and 0.5 s with semi
        joins to the touched ids. -#}
    {%- set earlier_rows = 1 -%}
    {%- if execute -%}
        {%- set earlier_rows = run_query(
            "select count(*) from (select 1 from " ~ this ~ " where _batch_at <> " ~ batch_at() ~ " limit 1)"
        ).columns[0].values()[0] -%}
    {%- endif -%}
    {#- Each copy's event id and position; both ways read them so. -#}
    {%- set copy_rows -%}
            select
                lines.event_id,
                lines.source_file,
                lines.line_number,
                coalesce(lines.record_number, 0) as record_number
            from {{ this }} as lines
    {%- endset %}
    update {{ this }} as lines
    set
        is_duplicate = ranked.is_later_copy,
        _batch_at = {{ batch_at() }}
    from (
        with
        {% if earlier_rows == 0 %}
        repeated_ids as (
            select event_id
            from {{ this }}
            where is_valid
            group by event_id
            having count(*) > 1
        ),

        copies as (
            {{ copy_rows }}
            semi join repeated_ids
                on lines.event_id = repeated_ids.event_id
            where lines.is_valid
        )
        {% else %}
        touched_ids as (
            select distinct event_id
            from {{ this }}
            where is_valid and _batch_at = {{ batch_at() }}
        ),

        touched_copies as (
            {{ copy_rows }}
            inner join touched_ids
                on lines.event_id = touched_ids.event_id
            where lines.is_valid
        ),

        repeated_ids as (
            select event_id
            from touched_copies
            group by event_id
            having count(*) > 1
        ),

        copies as (
            select touched_copies.*
            from touched_copies
            inner join repeated_ids
                on touched_copies.event_id = repeated_ids.event_id
        )
        {% endif %}
        select
            source_file,
            line_number,
            record_number,
            row_number() over (
                partition by event_id
                order by source_file, line_number, record_number
            ) > 1 as is_later_copy
        from copies
    ) as ranked
    where
        lines.source_file = ranked.source_file
        and lines.line_number = ranked.line_number
        -- Null on lines judged before OTLP input existed: all flat, one row a line.
        and coalesce(lines.record_number, 0) = ranked.record_number
        and lines.is_duplicate <> ranked.is_later_copy
{%- endmacro %}

{% macro spark__rank_later_copies() -%}
    select 1
{%- endmacro %}
