{#- Reading CSV files, engine-specific. -#}

{#- a relation with one row per data row of the CSV files matching `glob_literal` (a SQL string
    literal that matches at least one file: check with list_files first, since an engine may fail
    on a glob that matches nothing). Every column in `column_names` is read as text, by position
    after a header line, with empty fields as null; plus `source_path` (the file's absolute path)
    and `row_number` (1-based data row within its file: the header and blank lines not counted).
    Rows with too few fields get nulls for the missing ones and extra fields are dropped, so a
    ragged row reaches the model, which decides what to do with it, instead of failing the build. -#}
{% macro read_csv_as_text(glob_literal, column_names) -%}
    {{ return(adapter.dispatch('read_csv_as_text', 'workbench')(glob_literal, column_names)) }}
{%- endmacro %}

{% macro duckdb__read_csv_as_text(glob_literal, column_names) -%}
    {#- No sniffing (auto_detect = false): the sniffer fails on an empty file and guesses on a
        tiny one. WITH ORDINALITY numbers rows in the order the reader returns them, which is file
        order within a file (parallel = false keeps each file on one reader thread). -#}
    (
        select
            {%- for column in column_names %}
            csv_rows.{{ column }},
            {%- endfor %}
            csv_rows.filename as source_path,
            row_number() over (
                partition by csv_rows.filename
                order by csv_rows.ordinality
            ) as row_number
        from read_csv(
            {{ glob_literal }},
            columns = {
                {%- for column in column_names %}
                '{{ column }}': 'varchar'{{ ',' if not loop.last }}
                {%- endfor %}
            },
            header = true,
            auto_detect = false,
            delim = ',',
            quote = '"',
            escape = '"',
            null_padding = true,
            strict_mode = false,
            parallel = false,
            filename = true
        ) with ordinality as csv_rows
    )
{%- endmacro %}

{% macro spark__read_csv_as_text(glob_literal, column_names) -%}
    {#- Spark's CSV reader has no row numbers, so each file is read whole and split into lines
        here; from_csv then parses one line (a quoted field cannot span lines on Spark). -#}
    (
        select
            {%- for column in column_names %}
            csv_rows.fields.{{ column }} as {{ column }},
            {%- endfor %}
            csv_rows.source_path,
            cast(row_number() over (
                partition by csv_rows.source_path
                order by csv_rows.line_index
            ) as bigint) as row_number
        from (
            select
                source_path,
                line_index,
                from_csv(
                    line,
                    '{% for column in column_names %}{{ column }} string{{ ", " if not loop.last }}{% endfor %}',
                    map('mode', 'PERMISSIVE')
                ) as fields
            from (
                select
                    {{ spark_file_path('input_file_name()') }} as source_path,
                    file_lines.line_index,
                    regexp_replace(file_lines.line, '\r+$', '') as line
                from {{ spark_file_view(glob_literal, 'text', {'wholetext': 'true'}) }}
                lateral view posexplode(split(value, '\n')) file_lines as line_index, line
            ) as lines
            -- The header is each file's first line; blank lines are not rows.
            where line_index > 0 and trim(line) <> ''
        ) as csv_rows
    )
{%- endmacro %}
