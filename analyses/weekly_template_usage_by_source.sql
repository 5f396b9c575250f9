-- Example analyst query: template usage among accepted drafts per ISO week and creation source,
-- re-aggregated from rows (never by averaging daily rates).
with

drafts as (
    select * from {{ ref('fct_drafts') }}
),

final as (
    select
        creation_source,
        {{ period_start('week', 'first_accepted_at') }} as week_start,
        count(*) as accepted_drafts,
        count(case when uses_template then 1 end) as drafts_using_a_template,
        count(case when uses_template then 1 end) / count(*) as template_usage_rate
    from drafts
    where is_accepted
    group by creation_source, {{ period_start('week', 'first_accepted_at') }}
)

select * from final
order by week_start, creation_source
