{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='draft_id',
    pre_hook="{{ delete_drafts_to_summarize() }}",
) }}
-- One row per draft (after anonymous creations are linked): its creation, decisions, edits and
-- template use, as docs/specification.md, 'Public tables' defines them for fct_drafts (everything
-- but the runs).
--
-- The references are named in each step rather than once in an import CTE: DuckDB materializes a
-- CTE that is read more than once, and this one is every event naming a draft, all columns.
--
-- Incremental by draft: a build summarizes again the drafts that new or re-decided lines, or a
-- new pairing of anonymous creations, may have changed (macros/incremental.sql,
-- drafts_to_summarize), from all their events; the pre-hook deletes those drafts' rows first.
-- noqa: disable=LT02
-- (sqlfluff cannot place the indentation of SQL generated in Jinja loops and conditions; every
-- other rule applies, and the generated shape is in target/compiled.)
{%- set draft_references = ref('int_draft_references_unioned') %}
{%- set drafts = drafts_to_summarize() %}
{%- set in_scope = 'draft_id in (select drafts_to_summarize.draft_id from drafts_to_summarize)' %}
with
{%- if drafts is not none %}

drafts_to_summarize as (
    {{ drafts }}
),
{%- endif %}

draft_creations as (
    select * from {{ ref('int_draft_creations_linked') }}
    {%- if drafts is not none %}
    where {{ in_scope }}
    {%- endif %}
),

-- A draft can be created more than once (the same draftId sent twice, or one orphan id linked
-- in two sessions); the earliest creation in event order speaks for all of them.
creations_ranked as (
    select
        draft_id,
        draft_id_source,
        session_id,
        occurred_at,
        source,
        template_id,
        node_count,
        row_number() over (
            partition by draft_id
            order by occurred_at, source_file, line_number
        ) as creation_rank
    from draft_creations
),

earliest_creations as (
    select
        draft_id,
        draft_id_source,
        session_id,
        occurred_at as created_at,
        source as creation_source,
        template_id as creation_template_id,
        node_count
    from creations_ranked
    where creation_rank = 1
),

-- The session of a draft nobody saw created is the session of the first event naming it. Only
-- those drafts' events are ranked: a creation always has a session (sessionId is required), so
-- every other draft takes its creation's. At 10M events that is a few thousand of 3.5M
-- references, and the model takes about 1 s less.
references_ranked as (
    select
        draft_references.draft_id,
        draft_references.session_id,
        row_number() over (
            partition by draft_references.draft_id
            order by draft_references.occurred_at, draft_references.source_file, draft_references.line_number
        ) as reference_rank
    from {{ draft_references }} as draft_references
    left join draft_creations
        on draft_references.draft_id = draft_creations.draft_id
    where
        draft_creations.draft_id is null
        {%- if drafts is not none %}
        and draft_references.{{ in_scope }}
        {%- endif %}
),

first_references as (
    select
        draft_id,
        session_id
    from references_ranked
    where reference_rank = 1
),

draft_activity_counted as (
    select
        draft_id,
        min(case when event_name = 'workbench.draft_accepted' then occurred_at end) as first_accepted_at,
        min(case when event_name = 'workbench.draft_rejected' then occurred_at end) as first_rejected_at,
        count(case when event_name = 'workbench.draft_edited' then 1 end) as edits,
        count(case when event_name = 'workbench.draft_edited' and edit_type = 'chat' then 1 end) as edits_chat,
        count(case when event_name = 'workbench.draft_edited' and edit_type = 'canvas' then 1 end) as edits_canvas,
        count(
            case when event_name = 'workbench.draft_edited' and edit_type = 'template_insert' then 1 end
        ) as edits_template_insert,
        count(case when event_name = 'workbench.template_inserted' then 1 end) as templates_inserted,
        min(case when event_name = 'workbench.template_inserted' then occurred_at end) as first_template_inserted_at
    from {{ draft_references }}
    {%- if drafts is not none %}
    where {{ in_scope }}
    {%- endif %}
    group by draft_id
),

-- The status follows the last word: the latest accept or reject in event order.
decisions_ranked as (
    select
        draft_id,
        event_name,
        row_number() over (
            partition by draft_id
            order by occurred_at desc, source_file desc, line_number desc
        ) as decision_rank
    from {{ draft_references }}
    where
        event_name in ('workbench.draft_accepted', 'workbench.draft_rejected')
        {%- if drafts is not none %}
        and {{ in_scope }}
        {%- endif %}
),

latest_decisions as (
    select
        draft_id,
        case
            when event_name = 'workbench.draft_accepted' then 'accepted'
            when event_name = 'workbench.draft_rejected' then 'rejected'
        end as status
    from decisions_ranked
    where decision_rank = 1
),

final as (
    select
        draft_activity_counted.draft_id,
        coalesce(earliest_creations.draft_id_source, 'event') as draft_id_source,
        coalesce(earliest_creations.session_id, first_references.session_id) as session_id,
        earliest_creations.created_at,
        earliest_creations.creation_source,
        earliest_creations.creation_template_id,
        earliest_creations.node_count,
        draft_activity_counted.first_accepted_at,
        draft_activity_counted.first_rejected_at,
        draft_activity_counted.first_accepted_at is not null as is_accepted,
        coalesce(latest_decisions.status, 'open') as status,
        draft_activity_counted.edits,
        draft_activity_counted.edits_chat,
        draft_activity_counted.edits_canvas,
        draft_activity_counted.edits_template_insert,
        draft_activity_counted.templates_inserted,
        -- A template inserted after the draft was accepted did not shape the accepted workflow,
        -- so only insertions at or before the first acceptance count (any, while never
        -- accepted): there is one exactly when the first insertion is at or before it.
        (
            coalesce(earliest_creations.creation_source = 'template', false)
            or earliest_creations.creation_template_id is not null
            or (draft_activity_counted.first_accepted_at is null and draft_activity_counted.templates_inserted > 0)
            or coalesce(
                draft_activity_counted.first_template_inserted_at <= draft_activity_counted.first_accepted_at, false
            )
        ) as uses_template,
        case
            when
                {{ ms_between('earliest_creations.created_at', 'draft_activity_counted.first_accepted_at') }} >= 0
                then {{ ms_between('earliest_creations.created_at', 'draft_activity_counted.first_accepted_at') }}
        end as time_to_accept_ms
    -- One row per draft id among the references (draft_created ones included).
    from draft_activity_counted
    left join earliest_creations
        on draft_activity_counted.draft_id = earliest_creations.draft_id
    left join first_references
        on draft_activity_counted.draft_id = first_references.draft_id
    left join latest_decisions
        on draft_activity_counted.draft_id = latest_decisions.draft_id
)

select
    *,
    {{ batch_at() }} as _batch_at
from final
