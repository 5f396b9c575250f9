-- One row per draft_created event with the draft it creates. A creation without a draftId is
-- paired, within its session, with a draft id that later events use but no creation carries
-- (docs/specification.md, 'Public tables', fct_drafts): the k-th anonymous creation takes the k-th
-- such "orphan" id, but only when that id is first used at or after the creation, so a draft is
-- never used before it exists. A creation left without a partner is its own draft, 'unlinked:' ||
-- event_id.
with

draft_created as (
    select * from {{ ref('stg_workbench__draft_created') }}
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

-- Ids that some creation carries, in any session, can never be orphans.
carried_draft_ids as (
    select distinct draft_id
    from draft_created
    where draft_id is not null
),

-- Only these four event types make an id an orphan; runs, tools, suggestions and approvals
-- referencing an id do not (the specification lists the four).
orphan_candidate_references as (
    select
        session_id,
        draft_id,
        occurred_at
    from draft_accepted
    union all
    select
        session_id,
        draft_id,
        occurred_at
    from draft_rejected
    union all
    select
        session_id,
        draft_id,
        occurred_at
    from draft_edited
    union all
    select
        session_id,
        draft_id,
        occurred_at
    from template_inserted
),

orphan_first_references as (
    select
        orphan_candidate_references.session_id,
        orphan_candidate_references.draft_id,
        min(orphan_candidate_references.occurred_at) as first_referenced_at
    from orphan_candidate_references
    left join carried_draft_ids
        on orphan_candidate_references.draft_id = carried_draft_ids.draft_id
    where carried_draft_ids.draft_id is null
    group by
        orphan_candidate_references.session_id,
        orphan_candidate_references.draft_id
),

orphans_numbered as (
    select
        session_id,
        draft_id,
        first_referenced_at,
        row_number() over (
            partition by session_id
            order by first_referenced_at, draft_id
        ) as orphan_number
    from orphan_first_references
),

anonymous_creations_numbered as (
    select
        event_id,
        session_id,
        occurred_at,
        row_number() over (
            partition by session_id
            order by occurred_at, source_file, line_number
        ) as creation_number
    from draft_created
    where draft_id is null
),

-- Pairs strictly by number: an orphan used before its creation blocks that pair rather than
-- shifting the numbering, exactly as the specification words it.
anonymous_creations_paired as (
    select
        anonymous_creations_numbered.event_id,
        orphans_numbered.draft_id as linked_draft_id
    from anonymous_creations_numbered
    left join orphans_numbered
        on
            anonymous_creations_numbered.session_id = orphans_numbered.session_id
            and anonymous_creations_numbered.creation_number = orphans_numbered.orphan_number
            and anonymous_creations_numbered.occurred_at <= orphans_numbered.first_referenced_at
),

final as (
    select
        draft_created.event_id,
        case
            when draft_created.draft_id is not null then draft_created.draft_id
            when anonymous_creations_paired.linked_draft_id is not null
                then anonymous_creations_paired.linked_draft_id
            else 'unlinked:' || draft_created.event_id
        end as draft_id,
        case
            when draft_created.draft_id is not null then 'event'
            when anonymous_creations_paired.linked_draft_id is not null then 'linked'
            else 'unlinked'
        end as draft_id_source,
        draft_created.session_id,
        draft_created.occurred_at,
        draft_created.source_file,
        draft_created.line_number,
        draft_created.source,
        draft_created.template_id,
        draft_created.node_count
    from draft_created
    left join anonymous_creations_paired
        on draft_created.event_id = anonymous_creations_paired.event_id
)

select * from final
