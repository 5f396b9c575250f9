-- The loading settings as one checked row. The build stops here, with a message naming the
-- settings, when raw_events_glob and otlp_logs_glob together match no file: the nightly job must
-- not "succeed" on nothing. Built after base_workbench__unlisted_files, which stops the build,
-- naming them, when files under a glob have names the glob cannot list (a name that is not UTF-8
-- breaks the glob).
-- depends_on: {{ ref('base_workbench__unlisted_files') }}
with

settings as (
    select * from {{ ref('base_workbench__load_paths') }}
),

matched as (
    select count(*) as matched_files
    from {{ raw_file_listing() }} as listing
),

final as (
    select
        settings.project_root,
        settings.raw_events_glob,
        settings.resolved_raw_events_glob,
        settings.otlp_logs_glob,
        settings.resolved_otlp_logs_glob,
        case
            when matched.matched_files = 0
                then {{ raise_sql_error(
                    "'" ~ raw_input_globs_text() ~ " matched no files. Point the dbt var "
                    ~ "raw_events_glob at your .jsonl or .jsonl.gz files (or otlp_logs_glob at "
                    ~ "OpenTelemetry Collector file exports, docs/otlp.md), "
                    ~ "or run make run to generate a sample under data/raw/events/.'"
                ) }}
            else matched.matched_files
        end as matched_files
    from settings
    cross join matched
)

select * from final
