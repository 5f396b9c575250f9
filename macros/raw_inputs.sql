{#- The two raw formats and the vars that name their files (docs/otlp.md): flat JSON lines (one
    event a line) under raw_events_glob, OTLP/JSON log files (what an OpenTelemetry Collector's
    file exporter writes) under otlp_logs_glob. An empty or null glob names no file. -#}
{% macro raw_input_globs() -%}
    {%- set globs = [] -%}
    {%- for name, input_format in [('otlp_logs_glob', 'otlp_json'), ('raw_events_glob', 'flat_json')] -%}
        {%- if (var(name, none) or '') | string | trim not in ('', 'None', 'none') -%}
            {%- do globs.append({'var': name, 'input_format': input_format, 'glob': resolved_path_setting(name)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not globs -%}
        {{ exceptions.raise_compiler_error(
            "Both raw_events_glob and otlp_logs_glob are empty, so there is nothing to load. Point"
            ~ " raw_events_glob at flat .jsonl / .jsonl.gz event files, or otlp_logs_glob at an"
            ~ " OpenTelemetry Collector's file exporter output (docs/otlp.md), in --vars."
        ) }}
    {%- endif -%}
    {{ return(globs) }}
{%- endmacro %}

{#- One row per raw event file of either format: filename, size, last_modified, input_format
    (flat_json or otlp_json). A file both globs match is read as OTLP: the more specific setting
    wins, and a file is never read twice. -#}
{% macro raw_file_listing() -%}
    {%- set parts = [] -%}
    {%- set seen = [] -%}
    {%- for input in raw_input_globs() -%}
        {%- set listing = file_metadata("'" ~ input.glob ~ "'") -%}
        {%- set part -%}
            select filename, size, last_modified, '{{ input.input_format }}' as input_format
            from {{ listing }} as listing
            {%- for earlier in seen %}
            where filename not in (select earlier.filename from {{ earlier }} as earlier)
            {%- endfor %}
        {%- endset -%}
        {%- do parts.append(part) -%}
        {%- do seen.append(listing) -%}
    {%- endfor -%}
    {{ return('(' ~ parts | join('\nunion all\n') ~ ')') }}
{%- endmacro %}

{#- The globs as words for messages: "raw_events_glob (/abs/glob)" for each set var. -#}
{% macro raw_input_globs_text() -%}
    {%- set shown = [] -%}
    {%- for input in raw_input_globs() -%}
        {%- do shown.append(input.var ~ ' (' ~ input.glob ~ ')') -%}
    {%- endfor -%}
    {{ return(shown | join(' and ')) }}
{%- endmacro %}

{#- The columns every line (and every OTLP log record) carries beside its text, in the order the
    ingestion models list them: where it sits in its line (record_number: 0 on a flat line, 1..n
    across an OTLP line; the 0-based resource, scope and record indexes of the OTLP JSON) and
    which service sent it (resource attributes, null on flat lines). One list, so the models that
    pass them along name the same columns. -#}
{% macro record_position_columns() -%}
    {{ return(['record_number', 'resource_index', 'scope_index', 'record_index']) }}
{%- endmacro %}

{#- (column, OTLP resource attribute) of the origin columns. -#}
{% macro record_origin_attributes() -%}
    {{ return([
        ('origin_service_name', 'service.name'),
        ('origin_service_version', 'service.version'),
        ('origin_sdk_name', 'telemetry.sdk.name'),
        ('origin_sdk_language', 'telemetry.sdk.language'),
        ('origin_sdk_version', 'telemetry.sdk.version'),
    ]) }}
{%- endmacro %}

{#- `record_position_columns`, input_format and the origin columns, `,`-joined for a select list
    (a line each, `indent` spaces in). -#}
{% macro record_metadata_columns(indent=8) -%}
    {%- set names = record_position_columns() + ['input_format'] -%}
    {%- for column, attribute in record_origin_attributes() -%}
        {%- do names.append(column) -%}
    {%- endfor -%}
    {%- for name in names -%}
        {{ name }}{{ ",\n" ~ " " * indent if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- The origin columns as nulls (a line no resource describes), `,`-joined like
    record_metadata_columns. -#}
{% macro null_origin_columns(indent=8) -%}
    {%- for column, attribute in record_origin_attributes() -%}
        cast(null as {{ dbt.type_string() }}) as {{ column }}{{ ",\n" ~ " " * indent if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
