-- One row per template id seen in any kept event: how often it was viewed, suggested (and the
-- suggestion accepted), inserted, and used to create a draft, and when it was first and last seen.
with

templates_referenced as (
    select * from {{ ref('int_templates_referenced') }}
),

final as (
    select
        template_id,
        count(case when reference_type = 'viewed' then 1 end) as times_viewed,
        count(case when reference_type = 'suggested' then 1 end) as times_suggested,
        -- an unknown answer (accepted absent or invalid) is not an acceptance
        count(case when reference_type = 'suggested' and is_suggestion_accepted then 1 end) as suggestions_accepted,
        count(case when reference_type = 'inserted' then 1 end) as times_inserted,
        count(case when reference_type = 'draft_created' then 1 end) as drafts_created_from,
        min(occurred_at) as first_seen_at,
        max(occurred_at) as last_seen_at
    from templates_referenced
    group by template_id
)

select * from final
