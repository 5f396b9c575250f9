{{ config(materialized=incremental_materialization()) }}
-- Incremental by session (strategy and key: folder defaults in dbt_project.yml): a build
-- re-reads every event of each session that new lines touched (macros/incremental.sql) and
-- replaces its rows whole.
-- One row per approval completion with the tool key it is matched on: its own toolIds when it
-- carries them, else the key of the latest request of its session at or before it (by time; at
-- one instant, the last request in file/line order). No such request: the key stays null and
-- the completion cannot be matched.
with

approval_requests as (
    select * from {{ ref('stg_workbench__approval_requested') }}
    where {{ in_touched_sessions() }}
),

approval_completions as (
    select * from {{ ref('stg_workbench__approval_completed') }}
    where {{ in_touched_sessions() }}
),

-- Only completions without toolIds look back; the join is bounded to their own session.
earlier_requests as (
    select
        approval_completions.event_id as completion_id,
        approval_requests.tool_ids,
        row_number() over (
            partition by approval_completions.event_id
            order by
                approval_requests.occurred_at desc,
                approval_requests.source_file desc,
                approval_requests.line_number desc,
                approval_requests.event_id desc
        ) as recency_rank
    from approval_completions
    inner join approval_requests
        on
            approval_completions.session_id = approval_requests.session_id
            and approval_completions.occurred_at >= approval_requests.occurred_at
    where approval_completions.tool_ids is null
),

inherited_keys as (
    select
        completion_id,
        tool_ids as inherited_tool_ids
    from earlier_requests
    where recency_rank = 1
),

keyed as (
    select
        approval_completions.event_id as completion_id,
        approval_completions.session_id,
        approval_completions.occurred_at as completed_at,
        approval_completions.source_file,
        approval_completions.line_number,
        approval_completions.approved,
        approval_completions.approver_id,
        approval_completions.tool_ids as own_tool_ids,
        coalesce(approval_completions.tool_ids, inherited_keys.inherited_tool_ids) as tool_key,
        case
            when approval_completions.tool_ids is not null then 'event'
            when inherited_keys.inherited_tool_ids is not null then 'inherited'
        end as tool_key_source
    from approval_completions
    left join inherited_keys
        on approval_completions.event_id = inherited_keys.completion_id
),

final as (
    select * from keyed
)

select
    *,
    {{ batch_at() }} as _batch_at
from final
