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
