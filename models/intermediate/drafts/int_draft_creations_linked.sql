{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='event_id',
    pre_hook="{{ delete_named_since_last_build('event_id') }}",
) }}
-- One row per draft_created event with the draft it creates. A creation without a draftId is
-- paired, within its session, with a draft id that later events use but no creation carries
-- (docs/specification.md, 'Public tables', fct_drafts): the k-th anonymous creation takes the k-th
-- such "orphan" id, but only when that id is first used at or after the creation, so a draft is
-- never used before it exists. A creation left without a partner is its own draft, 'unlinked:' ||
-- event_id.
--
-- Incremental by session: the pairing looks at one session, given the ids that creations carry
-- anywhere. A build pairs again every creation of each session that new or re-decided lines
-- touched, and of each session where an id that a new or re-decided creation carries was an
-- orphan candidate (it may have been one and be one no more, or the other way round). Those rows
-- are written again, stamped `_batch_at`, which is how int_drafts_summarized finds the drafts
-- whose creations changed. The pre-hook first deletes the creations whose event ids lines judged
-- since carry (all in sessions paired again), so a creation whose kept copy is now another event
-- leaves no row.
{%- set candidate_events = orphan_candidate_events() %}
-- noqa: disable=LT02
-- (sqlfluff cannot place the indentation of SQL generated in Jinja loops and conditions; every
-- other rule applies, and the generated shape is in target/compiled.)
{%- set validated_lines = ref('base_workbench__validated_lines') %}
{%- set watermark = incremental_watermark() %}
with

draft_created as (
    select * from {{ ref('stg_workbench__draft_created') }}
),

{#- Only these event types make an id an orphan (macros/incremental.sql). #}
{%- for event in candidate_events %}

{{ event }} as (
    select * from {{ ref('stg_workbench__' ~ event) }}
),
{%- endfor %}

-- Ids that some creation carries, in any session, can never be orphans.
carried_draft_ids as (
    select distinct draft_id
    from draft_created
    where draft_id is not null
),
{%- if watermark is not none %}

-- What new or re-decided lines say (a copy demoted by a later file keeps its values and is
-- stamped too, so the ids it no longer carries are here).
lines_since_last_build as (
    select
        session_id,
        event_name,
        draft_id
    from {{ validated_lines }}
    where is_valid and _batch_at > {{ watermark }}
),

-- The ids that a creation among those lines carries, or carried before it was demoted.
creation_ids_since_last_build as (
    select draft_id
    from lines_since_last_build
    where event_name = 'workbench.draft_created' and draft_id is not null
),

sessions_to_pair as (
    select session_id from lines_since_last_build
    {%- for event in candidate_events %}
    union
    select session_id from {{ event }}
    where draft_id in (select creation_ids_since_last_build.draft_id from creation_ids_since_last_build)
    {%- endfor %}
),
{%- endif %}

orphan_candidate_references as (
    {%- for event in candidate_events %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        session_id,
        draft_id,
        occurred_at
    from {{ event }}
    {%- if watermark is not none %}
    where session_id in (select sessions_to_pair.session_id from sessions_to_pair)
    {%- endif %}
    {%- endfor %}
),

creations_to_pair as (
    select * from draft_created
    {%- if watermark is not none %}
    where session_id in (select sessions_to_pair.session_id from sessions_to_pair)
    {%- endif %}
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
    from creations_to_pair
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
        creations_to_pair.event_id,
        case
            when creations_to_pair.draft_id is not null then creations_to_pair.draft_id
            when anonymous_creations_paired.linked_draft_id is not null
                then anonymous_creations_paired.linked_draft_id
            else 'unlinked:' || creations_to_pair.event_id
        end as draft_id,
        case
            when creations_to_pair.draft_id is not null then 'event'
            when anonymous_creations_paired.linked_draft_id is not null then 'linked'
            else 'unlinked'
        end as draft_id_source,
        creations_to_pair.session_id,
        creations_to_pair.occurred_at,
        creations_to_pair.source_file,
        creations_to_pair.line_number,
        creations_to_pair.source,
        creations_to_pair.template_id,
        creations_to_pair.node_count
    from creations_to_pair
    left join anonymous_creations_paired
        on creations_to_pair.event_id = anonymous_creations_paired.event_id
)

select
    *,
    {{ batch_at() }} as _batch_at
from final
