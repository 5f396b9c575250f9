-- The loading settings as one checked row. The build stops here, with a message naming the
-- setting, when raw_events_glob matches no file: the nightly job must not "succeed" on nothing.
-- Built after base_workbench__unlisted_files, which stops the build, naming them, when files
-- under the glob have names the glob cannot list (a name that is not UTF-8 breaks the glob).
-- depends_on: {{ ref('base_workbench__unlisted_files') }}
with

settings as (
    select * from {{ ref('base_workbench__load_paths') }}
),

matched as (
    select count(*) as matched_files
    from {{ list_files("'" ~ resolved_path_setting('raw_events_glob') ~ "'") }}
),

final as (
    select
        settings.project_root,
        settings.raw_events_glob,
        settings.resolved_raw_events_glob,
        case
            when matched.matched_files = 0
                then {{ raise_sql_error(
                    "'raw_events_glob=" ~ checked_setting('raw_events_glob', var('raw_events_glob'))
                    ~ " matched no files (looked for " ~ resolved_path_setting('raw_events_glob')
                    ~ "). Point the dbt var raw_events_glob at your .jsonl or .jsonl.gz files, "
                    ~ "or run make run to generate a sample under data/raw/events/.'"
                ) }}
            else matched.matched_files
        end as matched_files
    from settings
    cross join matched
)

select * from final
