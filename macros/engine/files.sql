{#- File listing and in-query errors, engine-specific. -#}

{#- a relation with one row per file matching `glob_literal` (a SQL string literal), column `file`;
    empty, not an error, when nothing matches. -#}
{% macro list_files(glob_literal) -%}
    {{ return(adapter.dispatch('list_files', 'workbench')(glob_literal)) }}
{%- endmacro %}

{% macro duckdb__list_files(glob_literal) -%}
    glob({{ glob_literal }})
{%- endmacro %}

{#- an expression that fails the query with `message_literal` when evaluated. -#}
{% macro raise_sql_error(message_literal) -%}
    {{ return(adapter.dispatch('raise_sql_error', 'workbench')(message_literal)) }}
{%- endmacro %}

{% macro duckdb__raise_sql_error(message_literal) -%}
    cast(error({{ message_literal }}) as bigint)
{%- endmacro %}

{#- one row per file matching `glob_literal`: filename, size (bytes), last_modified; the
    contents are not read. -#}
{% macro file_metadata(glob_literal) -%}
    {{ return(adapter.dispatch('file_metadata', 'workbench')(glob_literal)) }}
{%- endmacro %}

{% macro duckdb__file_metadata(glob_literal) -%}
    (select filename, size, last_modified from read_blob({{ glob_literal }}))
{%- endmacro %}
