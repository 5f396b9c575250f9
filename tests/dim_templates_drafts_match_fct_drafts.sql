-- dim_templates.drafts_created_from counts drafts the way marts.fct_drafts records them: one per
-- draft, under the creation_template_id of its earliest creation, never once per draft_created
-- event. Returns each template whose count differs from fct_drafts grouped by
-- creation_template_id, including a template fct_drafts names that dim_templates lacks.
with

templates as (
    select * from {{ ref('dim_templates') }}
),

drafts as (
    select * from {{ ref('fct_drafts') }}
),

drafts_per_template as (
    select
        creation_template_id as template_id,
        count(distinct draft_id) as drafts
    from drafts
    where creation_template_id is not null
    group by creation_template_id
),

final as (
    select
        coalesce(templates.template_id, drafts_per_template.template_id) as template_id,
        templates.drafts_created_from,
        coalesce(drafts_per_template.drafts, 0) as drafts_in_fct_drafts
    from templates
    full outer join drafts_per_template
        on templates.template_id = drafts_per_template.template_id
    where templates.drafts_created_from is distinct from coalesce(drafts_per_template.drafts, 0)
)

select * from final
