-- One row per draft: docs/specification.md, 'Public tables', fct_drafts. The run counts come from
-- the runs' intermediate model, not from fct_workflow_runs, because that mart reads the drafts'
-- model.
with

drafts as (
    select * from {{ ref('int_drafts_summarized') }}
),

workflow_runs as (
    select * from {{ ref('int_workflow_runs_summarized') }}
),

draft_runs_counted as (
    select
        draft_id,
        count(started_at) as runs_started,
        count(case when status = 'failed' then 1 end) as runs_failed
    from workflow_runs
    where draft_id is not null
    group by draft_id
),

final as (
    select
        drafts.draft_id,
        drafts.draft_id_source,
        drafts.session_id,
        drafts.created_at,
        drafts.creation_source,
        drafts.creation_template_id,
        drafts.node_count,
        drafts.first_accepted_at,
        drafts.first_rejected_at,
        drafts.is_accepted,
        drafts.status,
        drafts.edits,
        drafts.edits_chat,
        drafts.edits_canvas,
        drafts.edits_template_insert,
        drafts.templates_inserted,
        drafts.uses_template,
        drafts.time_to_accept_ms,
        coalesce(draft_runs_counted.runs_started, 0) as runs_started,
        coalesce(draft_runs_counted.runs_failed, 0) as runs_failed
    from drafts
    left join draft_runs_counted
        on drafts.draft_id = draft_runs_counted.draft_id
)

select * from final
