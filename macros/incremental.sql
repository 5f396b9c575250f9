{#- Incremental builds (docs/incremental.md). Every incremental model stamps the rows it writes with
    `_batch_at`, the start of the dbt invocation that wrote them (dbt's run_started_at, shared by
    every model of one build). A model then processes the upstream rows stamped after its own
    newest stamp: a build that failed half way is caught up by the next one, because a model that
    did not run keeps its older stamp. -#}

{#- The materialization of an incremental model: `incremental` where the engine has the
    strategies these models use (delete+insert, append), else `table`, rebuilt whole each time.
    dbt-spark's Parquet tables have neither (merge needs Delta, Iceberg or Hudi), so on Spark the
    models build in full; their SQL reads everything when is_incremental() is false. -#}
{% macro incremental_materialization() -%}
    {{ return('incremental' if target.type == 'duckdb' else 'table') }}
{%- endmacro %}

{% macro batch_at() -%}
    {{ timestamp_literal(run_started_at) }}
{%- endmacro %}

{#- A SQL literal of the newest `_batch_at` in this model's table, or none on a full build. It is
    read before the model's query is compiled, so the filter is a constant that DuckDB can use to
    skip whole row groups. -#}
{% macro incremental_watermark() -%}
    {#- Unit tests build the model from fixtures, never incrementally (and have no `this`). -#}
    {%- if execute and model.resource_type == 'model' and is_incremental() -%}
        {%- if model.config.meta.get('stored_watermark') -%}
            {%- set newest = stored_watermark() -%}
        {%- else -%}
            {%- set newest = run_query("select max(_batch_at) from " ~ this).columns[0].values()[0] -%}
        {%- endif -%}
        {%- if newest is none -%}
            {{ return("cast('1900-01-01' as timestamp)") }}
        {%- else -%}
            {{ return("cast('" ~ newest ~ "' as timestamp)") }}
        {%- endif -%}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- A public mart has the columns of its specification and no `_batch_at`. An incremental mart
    (`meta: {stored_watermark: true}`) keeps its watermark in staging.mart_watermarks instead, one
    row per model: the stamp of the build that last wrote it. Its post-hook (record_watermark)
    writes that row in the transaction that writes the mart's rows, so a build that fails leaves
    the older stamp, and the next build catches up from there. No row (a warehouse built before)
    reads every upstream row once. -#}
{% macro mart_watermarks() -%}
    {{ return(api.Relation.create(database=target.database, schema='staging', identifier='mart_watermarks')) }}
{%- endmacro %}

{#- on-run-start (DuckDB): the table of the marts' watermarks, created here once, never by the
    marts' post-hooks, which run in two threads at a time. -#}
{% macro create_mart_watermarks() -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- do run_query("create schema if not exists " ~ target.database ~ ".staging") -%}
        {%- do run_query(
            "create table if not exists " ~ mart_watermarks()
            ~ " (model_name varchar not null, batch_at timestamp not null)"
        ) -%}
    {%- endif -%}
{%- endmacro %}

{#- The mart's stored watermark, or none. The catalog is asked, not dbt's cache of relations,
    which was read before the on-run-start hook created the table. (`dbt compile` runs no hook.) -#}
{% macro stored_watermark() -%}
    {%- set exists = run_query(
        "select count(*) from information_schema.tables where table_catalog = '" ~ target.database
        ~ "' and table_schema = 'staging' and table_name = 'mart_watermarks'"
    ).columns[0].values()[0] -%}
    {%- if not exists -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(run_query(
        "select max(batch_at) from " ~ mart_watermarks() ~ " where model_name = '" ~ model.name ~ "'"
    ).columns[0].values()[0]) }}
{%- endmacro %}

{#- Post-hook of an incremental mart: this build's stamp becomes its watermark. Nothing on an
    engine that builds the marts whole (incremental_materialization). -#}
{% macro record_watermark() -%}
    {%- if target.type == 'duckdb' -%}
        delete from {{ mart_watermarks() }} where model_name = '{{ model.name }}';
        insert into {{ mart_watermarks() }} values ('{{ model.name }}', {{ batch_at() }})
    {%- endif -%}
{%- endmacro %}

{#- `where` condition: the row is newer than this model's watermark (true on a full build). -#}
{% macro is_new_since_last_build(column='_batch_at') -%}
    {%- set watermark = incremental_watermark() -%}
    {%- if watermark is none -%}
        true
    {%- else -%}
        {{ column }} > {{ watermark }}
    {%- endif -%}
{%- endmacro %}

{#- `where` condition: the row's `column` holds a value of `key` (a column of the verdicts) that
    valid lines judged or re-decided since this model's last build carry, lines of `events` only
    when given. The model then reads again every row with such a value and rebuilds its rows
    whole. True on a full build. -#}
{% macro named_since_last_build(key, column=none, events=none) -%}
    {#- ref() on every call, not only in the incremental branch: dbt parses a model with no
        watermark, so this is what records the dependency on the verdicts, and no model needs a
        hand-written `-- depends_on:` line. -#}
    {%- set validated_lines = ref('base_workbench__validated_lines') -%}
    {%- set watermark = incremental_watermark() -%}
    {%- if watermark is none -%}
        true
    {%- else -%}
        {{ column or key }} in (
            select touched.{{ key }}
            from {{ validated_lines }} as touched
            where
                touched.is_valid
                and touched._batch_at > {{ watermark }}
                {%- if events %}
                and touched.event_name in (
                    {%- for event in events %}
                    'workbench.{{ event }}'{{ ',' if not loop.last }}
                    {%- endfor %}
                )
                {%- endif %}
        )
    {%- endif -%}
{%- endmacro %}

{#- `where` condition for session-scoped models (sessions, chat turns, approvals): the session is
    one that new or re-decided lines touched since this model's last build, so all its events are
    read again and its rows rebuilt whole. True on a full build. -#}
{% macro in_touched_sessions(column='session_id') -%}
    {{ return(named_since_last_build('session_id', column)) }}
{%- endmacro %}

{#- Pre-hook of a model keyed by `key` and rebuilt per key value (named_since_last_build): on an
    incremental build, delete the rows of every value it rebuilds first, so a value that no event
    carries any more (a run whose only event was a copy another file took over) leaves no row
    behind, as in a full rebuild. -#}
{% macro delete_named_since_last_build(key, events=none) -%}
    {#- A hook runs only for a model, so this is when its watermark exists (read once, inside). -#}
    {%- if execute and is_incremental() -%}
        delete from {{ this }} where {{ named_since_last_build(key, events=events) }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of a session-keyed copy of `sessions` (dim_sessions of the sessions' summaries): on
    an incremental build, delete the sessions that `sessions` no longer has, so a session whose
    only event a late copy moved to another session disappears, as in a full rebuild. It reads
    two key columns whole (0.2-0.5 s at 30M events), and needs no edge to the verdicts. -#}
{% macro delete_sessions_not_in(sessions) -%}
    {%- if execute and is_incremental() -%}
        delete from {{ this }} as copied
        where not exists (
            select 1 from {{ sessions }} as kept
            where kept.session_id = copied.session_id
        )
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of a typed event model (keyed by event_id, reading base_workbench__events): on an
    incremental build, delete every event whose kept copy was written since the model's last
    build, whatever its event is now. The model then inserts those of its own event, so an event
    whose kept copy turned into another event (a conflicting late copy that sorts first) leaves no
    row behind, as in a full rebuild; delete+insert alone replaces only the ids the new rows carry.
    An event id never loses its kept copy (validity does not change), so a re-decided id is always
    among the events written since. -#}
{% macro delete_events_written_since_last_build() -%}
    {%- set watermark = incremental_watermark() -%}
    {%- if watermark is not none -%}
        delete from {{ this }} where event_id in (
            select written.event_id
            from {{ ref('base_workbench__events') }} as written
            where written._batch_at > {{ watermark }}
        )
    {%- endif -%}
{%- endmacro %}

{#- The events that make a workflow run (int_workflow_runs_summarized). -#}
{% macro run_events() -%}
    {{ return(['workflow_run_started', 'workflow_run_completed']) }}
{%- endmacro %}

{#- The events whose draftId can make an id an orphan, which an anonymous creation of the same
    session may be paired with (int_draft_creations_linked); runs, tools, suggestions and
    approvals naming an id do not (docs/specification.md, fct_drafts, lists the four). -#}
{% macro orphan_candidate_events() -%}
    {{ return(['draft_accepted', 'draft_rejected', 'draft_edited', 'template_inserted']) }}
{%- endmacro %}

{#- The drafts whose summary (int_drafts_summarized) an incremental build computes again, as a
    `select draft_id`, or none on a full build. Called by the model and by its pre-hook, which
    deletes their rows first, so that a draft no event names any more (`unlinked:<event_id>` once
    its creation is paired) leaves no row behind. It reads nothing the pre-hook deletes, so both
    get the same drafts. A draft is summarized again when:
    - an event naming it was written since the model's last build (a new event, the new kept copy
      of a re-decided one, or a creation int_draft_creations_linked paired again);
    - a line naming it was judged or re-decided since: a copy demoted by a later file keeps its
      values, so the draft it no longer names is found here;
    - a creation paired again was its own draft (`unlinked:<event_id>`), or it is an orphan
      candidate (the only ids a pairing can take) in a session whose creations were paired again,
      or that new or re-decided lines touched: the pairing may have moved away from it. -#}
{% macro drafts_to_summarize() -%}
    {%- set references = ref('int_draft_references_unioned') -%}
    {%- set creations = ref('int_draft_creations_linked') -%}
    {%- set validated_lines = ref('base_workbench__validated_lines') -%}
    {%- set watermark = incremental_watermark() -%}
    {%- if watermark is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set sql -%}
    with

    paired_again as (
        select
            event_id,
            session_id
        from {{ creations }}
        where _batch_at > {{ watermark }}
    ),

    judged_again as (
        select
            session_id,
            draft_id
        from {{ validated_lines }}
        where is_valid and _batch_at > {{ watermark }}
    )

    select named.draft_id
    from {{ references }} as named
    where named._batch_at > {{ watermark }}
    union
    select judged_again.draft_id
    from judged_again
    where judged_again.draft_id is not null
    union
    select 'unlinked:' || paired_again.event_id
    from paired_again
    union
    select candidate.draft_id
    from {{ references }} as candidate
    where
        candidate.event_name in (
            {%- for event in orphan_candidate_events() %}
            'workbench.{{ event }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
        and candidate.session_id in (
            select paired_again.session_id from paired_again
            union
            select judged_again.session_id from judged_again
        )
    {%- endset -%}
    {{ return(sql) }}
{%- endmacro %}

{#- int_drafts_summarized's pre-hook: on an incremental build, delete the rows of the drafts the
    build summarizes again (drafts_to_summarize); the model then inserts those that still exist. -#}
{% macro delete_drafts_to_summarize() -%}
    {%- set drafts = drafts_to_summarize() -%}
    {%- if drafts is not none -%}
        delete from {{ this }} where draft_id in ({{ drafts }})
    {%- endif -%}
{%- endmacro %}
