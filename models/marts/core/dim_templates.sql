-- One row per template id seen in any kept event (docs/specification.md, 'Public tables',
-- marts.dim_templates).
with

templates_summarized as (
    select * from {{ ref('int_templates_summarized') }}
),

final as (
    select
        template_id,
        times_viewed,
        times_suggested,
        suggestions_accepted,
        times_inserted,
        drafts_created_from,
        first_seen_at,
        last_seen_at
    from templates_summarized
)

select * from final
