{{ config(materialized=incremental_materialization()) }}
-- One row per chat message (a turn), with the assistant activity that followed it in its session.
-- Incremental by session: a build rewrites the sessions whose turns were numbered again since
-- this mart's last build, from all their turns and events, after its pre-hook deleted every
-- session that lines judged since name, so a session left without turns disappears (strategy,
-- key, watermark and hooks: dbt_project.yml).
-- Only the pre-hook reads the verdicts, so the dependency is declared here:
-- depends_on: {{ ref('base_workbench__validated_lines') }}
with

chat_turns as (
    select * from {{ ref('int_chat_turns_numbered') }}
    where {{ is_new_since_last_build() }}
),

turn_events as (
    -- A session whose turns were numbered again had its events attributed again in the same
    -- build or later (both rewrite a touched session whole), so these are all its events.
    select * from {{ ref('int_chat_turn_events_attributed') }}
    where {{ is_new_since_last_build() }}
),

events_per_turn as (
    select
        turn_id,
        count(case when turn_event_type = 'template_suggested' then 1 end) as template_suggestions,
        count(case when turn_event_type = 'chat_tool_invoked' then 1 end) as tools_invoked
    from turn_events
    where turn_id is not null
    group by turn_id
),

final as (
    select
        chat_turns.turn_id,
        chat_turns.session_id,
        chat_turns.sent_at,
        chat_turns.turn_number,
        chat_turns.message_length,
        chat_turns.has_attachment,
        coalesce(events_per_turn.template_suggestions, 0) as template_suggestions,
        coalesce(events_per_turn.tools_invoked, 0) as tools_invoked,
        coalesce(events_per_turn.template_suggestions, 0) > 0 as has_template_suggestion
    from chat_turns
    left join events_per_turn
        on chat_turns.turn_id = events_per_turn.turn_id
)

select * from final
