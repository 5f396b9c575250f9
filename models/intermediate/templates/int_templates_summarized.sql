-- One row per template id seen in any kept event: how often it was viewed, suggested (and the
-- suggestion accepted), inserted, and used to create a draft, and when it was first and last seen.
with

templates_referenced as (
    select * from {{ ref('int_templates_referenced') }}
),

drafts as (
    select * from {{ ref('int_drafts_summarized') }}
),

references_counted as (
    select
        template_id,
        count(case when reference_type = 'viewed' then 1 end) as times_viewed,
        count(case when reference_type = 'suggested' then 1 end) as times_suggested,
        -- an unknown answer (accepted absent or invalid) is not an acceptance
        count(case when reference_type = 'suggested' and is_suggestion_accepted then 1 end) as suggestions_accepted,
        count(case when reference_type = 'inserted' then 1 end) as times_inserted,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from templates_referenced
    group by template_id
),

-- Drafts, not draft_created events: a draft created twice (its draftId sent twice, or one orphan
-- id linked in two sessions) is one draft, and it belongs to the template of its earliest
-- creation, exactly as fct_drafts.creation_template_id says.
drafts_counted as (
    select
        creation_template_id as template_id,
        count(distinct draft_id) as drafts_created_from
    from drafts
    where creation_template_id is not null
    group by creation_template_id
),

final as (
    select
        references_counted.template_id,
        references_counted.times_viewed,
        references_counted.times_suggested,
        references_counted.suggestions_accepted,
        references_counted.times_inserted,
        coalesce(drafts_counted.drafts_created_from, 0) as drafts_created_from,
        references_counted.first_seen_at,
        references_counted.last_seen_at
    from references_counted
    left join drafts_counted
        on references_counted.template_id = drafts_counted.template_id
)

select * from final
