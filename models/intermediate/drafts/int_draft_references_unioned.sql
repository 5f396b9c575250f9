{{ config(
    materialized='view',
    meta={'tested_by_batch': true},
) }}
-- Passes the `_batch_at` of the incremental models it reads through unchanged, so its data tests
-- check the rows the latest build wrote (macros/test_rows.sql, `tested_by_batch`).
-- One row per valid event that refers to a draft: every event type that can carry a draftId,
-- plus every draft_created (anonymous ones with the draft id the linking gave them). This is
-- the set of drafts fct_drafts has a row for, and the events it summarizes.
-- A view: only int_drafts_summarized reads it, a few narrow columns at a time, so writing its
-- 3.5M rows at 10M events (3.7 s every build) bought nothing (the view: 0.3 s, and no slower
-- to read).
-- noqa: disable=LT02
-- (sqlfluff cannot place the indentation of SQL generated in Jinja loops; every other rule
-- applies, and the generated shape is in target/compiled.)
{#- The events besides draft_created that carry a draftId, each read from its typed model
    (stg_workbench__<event>). A list here, not read from seed event_taxonomy, because dbt must
    know a model's refs when it parses the project, before any seed is read; the build checks
    the list against the taxonomy. Where the taxonomy makes draftId optional, only the events
    that carry one refer to a draft. -#}
{%- set referring_events = [
    'draft_accepted',
    'draft_rejected',
    'draft_edited',
    'template_inserted',
    'chat_tool_invoked',
    'template_suggested',
    'workflow_run_started',
    'workflow_run_completed',
    'approval_requested',
] %}
{%- set optional_events = [] %}
{%- for property in taxonomy_properties() if property.key == 'draftId' %}
    {%- set listed = ['workbench.draft_created'] %}
    {%- for event in referring_events %}
        {%- do listed.append('workbench.' ~ event) %}
    {%- endfor %}
    {%- set unread = property.events | reject('in', listed) | list %}
    {%- set unknown = listed | reject('in', property.events) | list %}
    {%- if unread or unknown %}
        {{ exceptions.raise_compiler_error(
            "int_draft_references_unioned does not read the events with a draftId that seed "
            ~ "event_taxonomy lists. Not read: [" ~ unread | join(", ") ~ "]; read but without "
            ~ "a draftId in the taxonomy: [" ~ unknown | join(", ") ~ "]. Add or remove them in "
            ~ "`referring_events` at the top of "
            ~ "models/intermediate/drafts/int_draft_references_unioned.sql."
        ) }}
    {%- endif %}
    {%- do optional_events.extend(property.optional_events) %}
{%- endfor %}
with

draft_creations as (
    select * from {{ ref('int_draft_creations_linked') }}
),
{% for event in referring_events %}
{{ event }} as (
    select * from {{ ref('stg_workbench__' ~ event) }}
),
{% endfor %}
references_unioned as (
    select
        event_id,
        'workbench.draft_created' as event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        _batch_at,
        cast(null as string) as edit_type
    from draft_creations
    {%- for event in referring_events %}
    union all
    select
        event_id,
        'workbench.{{ event }}' as event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        _batch_at,
        {% if event == 'draft_edited' -%}
            edit_type
        {%- else -%}
            cast(null as string) as edit_type
        {%- endif %}
    from {{ event }}
    {%- if 'workbench.' ~ event in optional_events %}
    where draft_id is not null
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        event_id,
        event_name,
        draft_id,
        session_id,
        occurred_at,
        source_file,
        line_number,
        edit_type,
        _batch_at
    from references_unioned
)

select * from final
