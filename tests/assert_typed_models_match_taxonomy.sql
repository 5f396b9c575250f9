-- The typed staging models are written by hand (their contracts need explicit columns), so this
-- test keeps them honest: each has exactly one column per property the event_taxonomy seed lists
-- for its event, plus the common columns. Returns the columns that are missing or extra.
-- depends_on: {{ ref('stg_workbench__approval_completed') }}
-- depends_on: {{ ref('stg_workbench__approval_requested') }}
-- depends_on: {{ ref('stg_workbench__chat_message_sent') }}
-- depends_on: {{ ref('stg_workbench__chat_tool_invoked') }}
-- depends_on: {{ ref('stg_workbench__draft_accepted') }}
-- depends_on: {{ ref('stg_workbench__draft_created') }}
-- depends_on: {{ ref('stg_workbench__draft_edited') }}
-- depends_on: {{ ref('stg_workbench__draft_rejected') }}
-- depends_on: {{ ref('stg_workbench__session_ended') }}
-- depends_on: {{ ref('stg_workbench__session_started') }}
-- depends_on: {{ ref('stg_workbench__template_inserted') }}
-- depends_on: {{ ref('stg_workbench__template_suggested') }}
-- depends_on: {{ ref('stg_workbench__template_viewed') }}
-- depends_on: {{ ref('stg_workbench__workflow_run_completed') }}
-- depends_on: {{ ref('stg_workbench__workflow_run_started') }}
with

taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

expected as (
    select
        'stg_workbench__' || replace(event_name, 'workbench.', '') as table_name,
        column_name
    from taxonomy
    where column_name not in ('session_id', 'occurred_at')
),

-- A build of a selection may not have made every typed model; check the ones that exist.
built_expected as (
    select expected.*
    from expected
    where expected.table_name in (
        select tables.table_name from information_schema.tables as tables
        where tables.table_schema = '{{ ref('stg_workbench__events').schema }}'
    )
),

actual as (
    select
        table_name,
        column_name
    from information_schema.columns
    where
        table_schema = '{{ ref('stg_workbench__events').schema }}'
        and table_name in (select built_expected.table_name from built_expected)
        and column_name not in ('event_id', 'session_id', 'occurred_at', 'source_file', 'line_number', '_batch_at')
),

missing as (
    select
        table_name,
        column_name,
        'missing from the typed model' as problem
    from built_expected
    where not exists (
        select 1 from actual
        where actual.table_name = built_expected.table_name and actual.column_name = built_expected.column_name
    )
),

extra as (
    select
        table_name,
        column_name,
        'not in the taxonomy seed' as problem
    from actual
    where not exists (
        select 1 from built_expected
        where built_expected.table_name = actual.table_name and built_expected.column_name = actual.column_name
    )
),

final as (
    select * from missing
    union all
    select * from extra
)

select * from final
