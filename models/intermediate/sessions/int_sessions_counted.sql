{{ config(materialized=incremental_materialization()) }}
-- Incremental by session (strategy and key: folder defaults in dbt_project.yml): a build
-- re-reads every event of each session that new lines touched (macros/incremental.sql) and
-- replaces its rows whole.
-- One row per session: how many of its kept events there are, in all and of the event kinds the
-- session dimension reports on.
with

events as (
    select * from {{ ref('base_workbench__events') }}
    where {{ in_touched_sessions() }}
),

final as (
    select
        session_id,
        count(*) as events,
        count(case when event_name = 'workbench.chat_message_sent' then 1 end) as chat_messages,
        count(case when event_name = 'workbench.template_suggested' then 1 end) as template_suggestions,
        count(case when event_name = 'workbench.draft_created' then 1 end) as drafts_created,
        count(case when event_name = 'workbench.draft_accepted' then 1 end) as drafts_accepted,
        count(case when event_name = 'workbench.template_inserted' then 1 end) as templates_inserted,
        count(case when event_name = 'workbench.workflow_run_started' then 1 end) as runs_started,
        count(case when event_name = 'workbench.approval_requested' then 1 end) as approvals_requested
    from events
    group by session_id
)

select
    *,
    {{ batch_at() }} as _batch_at
from final
