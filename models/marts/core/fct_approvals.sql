{{ config(materialized=incremental_materialization()) }}
-- One row per approval request, completed or pending, plus one per completion that matched no
-- request, so every approval_completed event is accounted for exactly once.
-- Incremental by session: a build rewrites each session that new lines touched since this
-- mart's last build, from all its requests and completions (strategy, key and watermark:
-- dbt_project.yml).
with

approval_requests as (
    select * from {{ ref('stg_workbench__approval_requested') }}
    where {{ in_touched_sessions() }}
),

matched_completions as (
    select * from {{ ref('int_approval_completions_matched') }}
    where {{ in_touched_sessions() }}
),

requests as (
    select
        approval_requests.event_id as approval_id,
        approval_requests.occurred_at as requested_at,
        matched_completions.completed_at,
        approval_requests.tool_ids,
        approval_requests.context_type,
        approval_requests.incident_id,
        approval_requests.workflow_id,
        approval_requests.draft_id,
        matched_completions.approved,
        matched_completions.approver_id,
        {{ ms_between('approval_requests.occurred_at', 'matched_completions.completed_at') }} as latency_ms,
        case
            when matched_completions.completion_id is null then 'pending'
            when matched_completions.approved then 'approved'
            else 'rejected'
        end as status,
        approval_requests.session_id
    from approval_requests
    left join matched_completions
        on approval_requests.event_id = matched_completions.request_id
),

-- The matching key (own toolIds, else the inherited one) is shown, so an analyst sees which
-- request stream the completion was compared with.
unmatched_completions as (
    select
        completion_id as approval_id,
        cast(null as timestamp) as requested_at,
        completed_at,
        tool_key as tool_ids,
        cast(null as string) as context_type,
        cast(null as string) as incident_id,
        cast(null as string) as workflow_id,
        cast(null as string) as draft_id,
        approved,
        approver_id,
        cast(null as bigint) as latency_ms,
        'unmatched_completion' as status,
        session_id
    from matched_completions
    where request_id is null
),

final as (
    select * from requests
    union all
    select * from unmatched_completions
)

select * from final
