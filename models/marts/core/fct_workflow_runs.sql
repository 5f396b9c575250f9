-- One row per workflow run: docs/specification.md, 'Public tables', fct_workflow_runs.
-- uses_template is read from the drafts' intermediate model, not from fct_drafts, because
-- fct_drafts counts these runs.
with

workflow_runs as (
    select * from {{ ref('int_workflow_runs_summarized') }}
),

drafts as (
    select * from {{ ref('int_drafts_summarized') }}
),

final as (
    select
        workflow_runs.run_id,
        workflow_runs.draft_id,
        workflow_runs.session_id,
        workflow_runs.started_at,
        workflow_runs.completed_at,
        workflow_runs.status,
        workflow_runs.duration_ms,
        drafts.uses_template
    from workflow_runs
    left join drafts
        on workflow_runs.draft_id = drafts.draft_id
)

select * from final
