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

{#- The typed models' columns, asked of the warehouse through dbt's adapter (not an
    information_schema, which not every engine has). A build of a selection may not have made
    every typed model: only the ones that exist are checked. -#}
{%- set typed_models = [
    'stg_workbench__approval_completed', 'stg_workbench__approval_requested',
    'stg_workbench__chat_message_sent', 'stg_workbench__chat_tool_invoked',
    'stg_workbench__draft_accepted', 'stg_workbench__draft_created',
    'stg_workbench__draft_edited', 'stg_workbench__draft_rejected',
    'stg_workbench__session_ended', 'stg_workbench__session_started',
    'stg_workbench__template_inserted', 'stg_workbench__template_suggested',
    'stg_workbench__template_viewed', 'stg_workbench__workflow_run_completed',
    'stg_workbench__workflow_run_started'
] -%}
{%- set built_columns = [] -%}
{%- if execute -%}
    {%- for typed_model in typed_models -%}
        {%- set relation = adapter.get_relation(
            database=ref(typed_model).database, schema=ref(typed_model).schema, identifier=ref(typed_model).identifier
        ) -%}
        {%- if relation is not none -%}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- do built_columns.append((typed_model, column.name | lower)) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif %}

built_columns as (
    {%- for table_name, column_name in built_columns %}
        select
            '{{ table_name }}' as table_name,
            '{{ column_name }}' as column_name
        {{ 'union all' if not loop.last }}
    {%- else %}
        select
            cast(null as string) as table_name,
            cast(null as string) as column_name
        where false
    {%- endfor %}
),

built_expected as (
    select expected.*
    from expected
    where expected.table_name in (select built_columns.table_name from built_columns)
),

actual as (
    select
        table_name,
        column_name
    from built_columns
    where column_name not in ('event_id', 'session_id', 'occurred_at', 'source_file', 'line_number', '_batch_at')
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
