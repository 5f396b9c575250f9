{{ config(materialized=incremental_materialization()) }}
-- Incremental by session (strategy and key: folder defaults in dbt_project.yml): a build
-- re-reads every event of each session that new lines touched (macros/incremental.sql) and
-- replaces its rows whole.
-- One row per approval completion with the request it completes, if any. Within (session, tool
-- key) the k-th request and the k-th completion, each in event order, are paired when the
-- completion is at or after the request; positions never shift, so a completion that comes too
-- early stays unmatched and so does its k-th request.
with

approval_requests as (
    select * from {{ ref('stg_workbench__approval_requested') }}
    where {{ in_touched_sessions() }}
),

keyed_completions as (
    select * from {{ ref('int_approval_completions_keyed') }}
    where {{ in_touched_sessions() }}
),

requests_numbered as (
    select
        event_id as request_id,
        session_id,
        tool_ids as tool_key,
        occurred_at as requested_at,
        row_number() over (
            partition by session_id, tool_ids
            order by occurred_at, source_file, line_number, event_id
        ) as key_position
    from approval_requests
),

-- Completions without a key take no position: they cannot be matched.
completions_numbered as (
    select
        completion_id,
        session_id,
        tool_key,
        completed_at,
        row_number() over (
            partition by session_id, tool_key
            order by completed_at, source_file, line_number, completion_id
        ) as key_position
    from keyed_completions
    where tool_key is not null
),

matched as (
    select
        keyed_completions.completion_id,
        keyed_completions.session_id,
        keyed_completions.completed_at,
        keyed_completions.source_file,
        keyed_completions.line_number,
        keyed_completions.approved,
        keyed_completions.approver_id,
        keyed_completions.own_tool_ids,
        keyed_completions.tool_key,
        keyed_completions.tool_key_source,
        completions_numbered.key_position,
        requests_numbered.request_id
    from keyed_completions
    left join completions_numbered
        on keyed_completions.completion_id = completions_numbered.completion_id
    left join requests_numbered
        on
            completions_numbered.session_id = requests_numbered.session_id
            and completions_numbered.tool_key = requests_numbered.tool_key
            and completions_numbered.key_position = requests_numbered.key_position
            and completions_numbered.completed_at >= requests_numbered.requested_at
),

final as (
    select * from matched
)

select
    *,
    {{ batch_at() }} as _batch_at
from final
