{#- The other-channel workflow-creations setting (docs/specification.md, 'Settings' and 'KPI
    definitions'). -#}

{#- workflow_creations_glob checked (no quotes, semicolons, line breaks) and made absolute against
    the project root; '' when the var is '' (or null): "not configured". -#}
{% macro workflow_creations_glob() -%}
    {%- set value = var('workflow_creations_glob') -%}
    {%- if value is none or (checked_setting('workflow_creations_glob', value) | trim) == '' -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(resolved_path_setting('workflow_creations_glob')) }}
{%- endmacro %}

{#- true unless workflow_creations_glob is '': the adoption KPI has a denominator. -#}
{% macro workflow_creations_configured() -%}
    {{ return(workflow_creations_glob() != '') }}
{%- endmacro %}

{#- How many files the configured glob matches, asked of the warehouse while the model compiles:
    the SQL must differ when nothing matches (a CSV reader fails on an empty glob, a missing
    monthly export must not fail the nightly build). 0 when not configured or while parsing. -#}
{% macro workflow_creation_files_matched() -%}
    {%- set glob = workflow_creations_glob() -%}
    {%- if glob == '' or not execute -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set result = run_query("select count(*) from " ~ list_files("'" ~ glob ~ "'")) -%}
    {{ return(result.columns[0].values()[0] | int) }}
{%- endmacro %}

{#- a relation with one row per file the configured glob matches, column `file`; empty when not
    configured. -#}
{% macro workflow_creation_file_list() -%}
    {%- set glob = workflow_creations_glob() -%}
    {%- if glob == '' -%}
        (select cast(null as string) as file where false)
    {%- else -%}
        (select file from {{ list_files("'" ~ glob ~ "'") }})
    {%- endif -%}
{%- endmacro %}

{#- a relation with one row per data row of the configured CSVs (see read_csv_as_text), or an
    empty one with the same columns when not configured or when the glob matches no file; the
    latter logs a warning instead of failing the build. -#}
{% macro workflow_creation_csv_rows() -%}
    {%- set columns = ['workflow_id', 'created_at', 'creation_source'] -%}
    {%- set glob = workflow_creations_glob() -%}
    {%- set matched_files = workflow_creation_files_matched() -%}
    {%- if execute and glob != '' and matched_files == 0 -%}
        {{ exceptions.warn(
            "Warning: workflow_creations_glob=" ~ var('workflow_creations_glob') ~ " matched no files "
            ~ "(looked for " ~ glob ~ "): counting zero other-channel workflow creations, so "
            ~ "workbench_adoption is 1 wherever drafts were accepted. Point the var at the CSV "
            ~ "exports, or set it to '' to report adoption as not configured (null)."
        ) }}
    {%- endif -%}
    {%- if matched_files > 0 -%}
        {{ read_csv_as_text("'" ~ glob ~ "'", columns) }}
    {%- else -%}
        (
            select
                {%- for column in columns %}
                cast(null as string) as {{ column }},
                {%- endfor %}
                cast(null as string) as source_path,
                cast(null as bigint) as row_number
            where false
        )
    {%- endif -%}
{%- endmacro %}
