-- One row per valid event that refers to a draft: every event type that can carry a draftId,
-- plus every draft_created (anonymous ones with the draft id the linking gave them). This is
-- the set of drafts fct_drafts has a row for, and the events it summarizes.
with

draft_creations as (
    select * from {{ ref('int_draft_creations_linked') }}
),

draft_accepted as (
    select * from {{ ref('stg_workbench__draft_accepted') }}
),

draft_rejected as (
    select * from {{ ref('stg_workbench__draft_rejected') }}
),

draft_edited as (
    select * from {{ ref('stg_workbench__draft_edited') }}
),

template_inserted as (
    select * from {{ ref('stg_workbench__template_inserted') }}
),

chat_tool_invoked as (
    select * from {{ ref('stg_workbench__chat_tool_invoked') }}
),

template_suggested as (
    select * from {{ ref('stg_workbench__template_suggested') }}
),

workflow_run_started as (
    select * from {{ ref('stg_workbench__workflow_run_started') }}
),

workflow_run_completed as (
    select * from {{ ref('stg_workbench__workflow_run_completed') }}
),

approval_requested as (
    select * from {{ ref('stg_workbench__approval_requested') }}
),

references_unioned as (
    select
        event_id,
        'workbench.draft_created' as event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        cast(null as string) as edit_type
    from draft_creations
    union all
    select
        event_id,
        'workbench.draft_accepted' as event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        cast(null as string) as edit_type
    from draft_accepted
    union all
    select
        event_id,
        'workbench.draft_rejected' as event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        cast(null as string) as edit_type
    from draft_rejected
    union all
    select
        event_id,
        'workbench.draft_edited' as event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        edit_type
    from draft_edited
    union all
    select
        event_id,
        'workbench.template_inserted' as event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        cast(null as string) as edit_type
    from template_inserted
    union all
    -- From here on draftId is optional: only the events that carry one refer to a draft.
    select
        event_id,
        'workbench.chat_tool_invoked' as event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        cast(null as string) as edit_type
    from chat_tool_invoked
    where draft_id is not null
    union all
    select
        event_id,
        'workbench.template_suggested' as event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        cast(null as string) as edit_type
    from template_suggested
    where draft_id is not null
    union all
    select
        event_id,
        'workbench.workflow_run_started' as event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        cast(null as string) as edit_type
    from workflow_run_started
    union all
    select
        event_id,
        'workbench.workflow_run_completed' as event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        cast(null as string) as edit_type
    from workflow_run_completed
    where draft_id is not null
    union all
    select
        event_id,
        'workbench.approval_requested' as event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        cast(null as string) as edit_type
    from approval_requested
    where draft_id is not null
),

final as (
    select
        event_id,
        event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        edit_type
    from references_unioned
)

select * from final
