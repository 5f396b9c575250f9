{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='run_id',
    meta={'stored_watermark': true},
    pre_hook="{{ delete_named_since_last_build('run_id', run_events()) }}",
    post_hook=["{{ record_watermark() }}"],
) }}
-- One row per workflow run: docs/specification.md, 'Public tables', fct_workflow_runs.
-- uses_template is read from the drafts' intermediate model, not from fct_drafts, because
-- fct_drafts counts these runs.
-- Incremental by run: a build rewrites the runs summarized again since this mart's last build
-- and the runs of the drafts summarized again (their uses_template may have changed); its
-- pre-hook first deletes every run that lines judged since name, as int_workflow_runs_summarized
-- does, so a run no event names any more disappears (the watermark is stored apart:
-- macros/incremental.sql, mart_watermarks).
-- Only the pre-hook reads the verdicts, so the dependency is declared here:
-- depends_on: {{ ref('base_workbench__validated_lines') }}
with

drafts_summarized_again as (
    select draft_id from {{ ref('int_drafts_summarized') }}
    where {{ is_new_since_last_build() }}
),

workflow_runs as (
    select * from {{ ref('int_workflow_runs_summarized') }}
    where
        {{ is_new_since_last_build() }}
        or draft_id in (select drafts_summarized_again.draft_id from drafts_summarized_again)
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
