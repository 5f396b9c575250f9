-- One row per data row of the other-channel workflow-creation CSVs, every field read as text,
-- then trimmed, parsed and classified by the rules of docs/specification.md, 'KPI definitions':
--   ignored_workbench  creation_source is `workbench` (trimmed, any case): the events count it;
--   rejected           no workflow_id, or a created_at that is missing or cannot be parsed;
--   duplicate          a later copy of a workflow_id (the earliest created_at is kept);
--   counted            the one row that counts for its workflow_id.
-- A configured glob that matches no file reads as no rows, with a warning (see the macro).

with

csv_rows as (
    select * from {{ workflow_creation_csv_rows() }} as csv_file_rows
),

files as (
    select * from {{ ref('stg_workflow_creations__files') }}
),

trimmed as (
    select
        files.source_file,
        csv_rows.row_number,
        csv_rows.workflow_id as raw_workflow_id,
        csv_rows.created_at as raw_created_at,
        csv_rows.creation_source as raw_creation_source,
        nullif({{ trim_blank('csv_rows.workflow_id') }}, '') as workflow_id,
        nullif({{ trim_blank('csv_rows.created_at') }}, '') as created_at_text,
        lower(nullif({{ trim_blank('csv_rows.creation_source') }}, '')) as creation_source
    from csv_rows
    inner join files
        on csv_rows.source_path = files.absolute_path
),

parsed as (
    select
        *,
        {{ parse_iso8601_utc('created_at_text') }} as created_at
    from trimmed
),

classified as (
    select
        *,
        coalesce(creation_source = 'workbench', false) as is_workbench,
        -- Every reason that applies, sorted and `;`-joined like audit.quarantined_events.reasons.
        nullif(
            concat_ws(
                ';',
                case
                    when created_at_text is not null and created_at is null then 'invalid_created_at'
                end,
                case when created_at_text is null then 'missing_created_at' end,
                case when workflow_id is null then 'missing_workflow_id' end
            ),
            ''
        ) as reasons
    from parsed
),

ranked as (
    select
        *,
        case
            when not is_workbench and reasons is null
                then row_number() over (
                    partition by workflow_id, (not is_workbench and reasons is null)
                    order by created_at, source_file, row_number
                )
        end as copy_number
    from classified
),

final as (
    select
        source_file,
        row_number,
        workflow_id,
        created_at,
        creation_source,
        case
            when is_workbench then 'ignored_workbench'
            when reasons is not null then 'rejected'
            when copy_number = 1 then 'counted'
            else 'duplicate'
        end as row_outcome,
        -- A workbench row is ignored whatever its other fields hold, so it has no reasons.
        case when not is_workbench then reasons end as reasons,
        raw_workflow_id,
        raw_created_at,
        raw_creation_source
    from ranked
)

select * from final
