{{ config(materialized='view') }}
-- The loading paths as one checked row, without looking at any file: what
-- base_workbench__unlisted_files walks before anything lists the files.
with

final as (
    select
        {{ setting_literal('project root', project_root()) }} as project_root,
        {{ setting_literal('raw_events_glob', var('raw_events_glob')) }} as raw_events_glob,
        '{{ resolved_path_setting('raw_events_glob') }}' as resolved_raw_events_glob
)

select * from final
