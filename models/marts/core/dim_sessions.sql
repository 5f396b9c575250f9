{{ config(materialized=incremental_materialization()) }}
-- One row per workbench session (docs/specification.md, 'Public tables', marts.dim_sessions).
-- Incremental by session: a build copies the sessions its summaries rewrote since this mart's
-- last build, after its pre-hook deleted the sessions that have no summary any more, so a
-- session left without events disappears (strategy, key, watermark and hooks: dbt_project.yml).
with

sessions_summarized as (
    select * from {{ ref('int_sessions_summarized') }}
    where {{ is_new_since_last_build() }}
),

final as (
    select
        session_id,
        started_at,
        ended_at,
        is_start_inferred,
        is_end_inferred,
        duration_ms,
        reported_duration_ms,
        active_duration_ms,
        activity_segments,
        user_id,
        referrer,
        events,
        chat_messages,
        template_suggestions,
        drafts_created,
        drafts_accepted,
        templates_inserted,
        runs_started,
        approvals_requested
    from sessions_summarized
)

select * from final
