{#- File listing and in-query errors, engine-specific. -#}

{#- a relation with one row per file matching `glob_literal` (a SQL string literal), column `file`;
    empty, not an error, when nothing matches. -#}
{% macro list_files(glob_literal) -%}
    {{ return(adapter.dispatch('list_files', 'workbench')(glob_literal)) }}
{%- endmacro %}

{% macro duckdb__list_files(glob_literal) -%}
    glob({{ glob_literal }})
{%- endmacro %}

{% macro spark__list_files(glob_literal) -%}
    (select {{ spark_file_path('path') }} as file from {{ spark_file_view(glob_literal, 'binaryFile') }})
{%- endmacro %}

{#- an expression that fails the query with `message_literal` when evaluated. -#}
{% macro raise_sql_error(message_literal) -%}
    {{ return(adapter.dispatch('raise_sql_error', 'workbench')(message_literal)) }}
{%- endmacro %}

{% macro duckdb__raise_sql_error(message_literal) -%}
    cast(error({{ message_literal }}) as bigint)
{%- endmacro %}

{% macro spark__raise_sql_error(message_literal) -%}
    cast(raise_error({{ message_literal }}) as bigint)
{%- endmacro %}

{#- one row per file matching `glob_literal`: filename, size (bytes), last_modified; the
    contents are not read. -#}
{% macro file_metadata(glob_literal) -%}
    {{ return(adapter.dispatch('file_metadata', 'workbench')(glob_literal)) }}
{%- endmacro %}

{% macro duckdb__file_metadata(glob_literal) -%}
    (select filename, size, last_modified from read_blob({{ glob_literal }}))
{%- endmacro %}

{% macro spark__file_metadata(glob_literal) -%}
    (
        select
            {{ spark_file_path('path') }} as filename,
            length as size,
            modificationTime as last_modified
        from {{ spark_file_view(glob_literal, 'binaryFile') }}
    )
{%- endmacro %}

{#- Spark reads files through a temporary view over one of its file sources, created here while
    the model compiles; returns the view's name. DuckDB's `**/` (any depth of folders) has no
    Hadoop-glob equivalent: it becomes recursiveFileLookup under the folder before it, with the
    rest as a file-name filter. -#}
{% macro spark_file_view(glob_literal, file_format, options={}) -%}
    {%- set glob = glob_literal[1:-1] -%}
    {%- set view_options = {'path': glob} -%}
    {%- if '/**/' in glob and '/' not in glob.split('/**/', 1)[1] -%}
        {%- do view_options.update({
            'path': glob.split('/**/', 1)[0],
            'recursiveFileLookup': 'true',
            'pathGlobFilter': glob.split('/**/', 1)[1]
        }) -%}
    {%- endif -%}
    {%- do view_options.update(options) -%}
    {%- set view = 'workbench_' ~ file_format | lower ~ '_' ~ local_md5(view_options | string) -%}
    {%- if execute -%}
        {%- set option_list = [] -%}
        {%- for key, value in view_options.items() -%}
            {%- do option_list.append(key ~ " '" ~ value ~ "'") -%}
        {%- endfor -%}
        {%- do run_query(
            "create or replace temporary view " ~ view ~ " using " ~ file_format
            ~ " options (" ~ option_list | join(", ") ~ ")"
        ) -%}
    {%- endif -%}
    {{ return(view) }}
{%- endmacro %}

{#- A Spark file source names a file by URI (file:/abs/path, percent-encoded): the plain path. -#}
{% macro spark_file_path(uri_expr) -%}
    url_decode(replace(regexp_replace({{ uri_expr }}, '^file:(//)?', ''), '+', '%2B'))
{%- endmacro %}

{#- Where the lines waiting for their verdict are. DuckDB: the table the line reader writes in
    the scratch database plugins/workbench_duckdb.py attaches for the process (a file of its own,
    removed when the process ends), so a line's text never reaches the warehouse file, whose
    freed blocks DuckDB does not zero. Spark: the reader's own table, which
    every build writes afresh. -#}
{% macro raw_line_rows() -%}
    {{ return(adapter.dispatch('raw_line_rows', 'workbench')()) }}
{%- endmacro %}

{% macro duckdb__raw_line_rows() -%}
    build_lines.main.raw_lines
{%- endmacro %}

{% macro spark__raw_line_rows() -%}
    {{ ref('base_workbench__raw_lines') }}
{%- endmacro %}

{#- The post-hook of base_workbench__validated_lines: once the build's verdicts are written, the
    raw text of the lines judged is forgotten (a quarantined line's redacted text is in the
    verdicts): the table of lines is emptied. On DuckDB it is the scratch database's, and the
    reader's file rows (no text) stay in the warehouse as its record of what it has read. -#}
{% macro forget_raw_text() -%}
    truncate table {{ raw_line_rows() }}
{%- endmacro %}

{#- the date of a `date=YYYY-MM-DD` folder in a file path (the raw events layout), as a date; null
    when the path has none or it is not a real date (2026-02-30). -#}
{% macro path_partition_date(path_expr) -%}
    {{ return(adapter.dispatch('path_partition_date', 'workbench')(path_expr)) }}
{%- endmacro %}

{#- DuckDB and Spark spell it alike (try_cast: Spark 4's ANSI casts fail on a bad date). -#}
{% macro default__path_partition_date(path_expr) -%}
    try_cast(nullif(regexp_extract({{ path_expr }}, 'date=([0-9]{4}-[0-9]{2}-[0-9]{2})/', 1), '') as date)
{%- endmacro %}

{#- Temporary and partial files a copy is still writing: names ending .tmp or .part (any case), and
    rsync's `.name.XXXXXX` (a leading dot, six letters or digits after the last dot). They are
    never loaded; audit.quarantined_files notes them while they are there. Written without
    backslashes, so the pattern means the same in DuckDB's and Spark's string literals. -#}
{% macro temporary_file_regex() -%}
    (?i)([.](tmp|part)$|(^|/)[.][^/]+[.][a-z0-9]{6}$)
{%- endmacro %}

{% macro is_temporary_file(path_expr) -%}
    {{ return(adapter.dispatch('is_temporary_file', 'workbench')(path_expr)) }}
{%- endmacro %}

{% macro duckdb__is_temporary_file(path_expr) -%}
    regexp_matches({{ path_expr }}, '{{ temporary_file_regex() }}')
{%- endmacro %}

{% macro spark__is_temporary_file(path_expr) -%}
    ({{ path_expr }} rlike '{{ temporary_file_regex() }}')
{%- endmacro %}
