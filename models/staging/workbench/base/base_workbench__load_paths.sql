{{ config(materialized='view') }}
-- The loading paths as one checked row, without looking at any file: what
-- base_workbench__unlisted_files walks before anything lists the files. An empty glob (no flat
-- files, or no OTLP files) resolves to null.
{%- set resolved = {} %}
{%- for input in raw_input_globs() %}
    {%- do resolved.update({input.var: input.glob}) %}
{%- endfor %}
with

final as (
    select
        {{ setting_literal('project root', project_root()) }} as project_root,
        {{ setting_literal('raw_events_glob', var('raw_events_glob') or '') }} as raw_events_glob,
        {{ "'" ~ resolved['raw_events_glob'] ~ "'" if 'raw_events_glob' in resolved else 'cast(null as string)' }}
            as resolved_raw_events_glob,
        {{ setting_literal('otlp_logs_glob', var('otlp_logs_glob', none) or '') }} as otlp_logs_glob,
        {{ "'" ~ resolved['otlp_logs_glob'] ~ "'" if 'otlp_logs_glob' in resolved else 'cast(null as string)' }}
            as resolved_otlp_logs_glob
)

select * from final
