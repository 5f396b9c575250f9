{#- Tests cost in proportion to the new data. A data test of an incremental model checks the rows
    that the latest build of the model wrote (its newest `_batch_at`): after a full build, or the
    first build of a warehouse, that is every row; after an incremental build, the new and
    re-decided rows only. (So a `dbt test` after a `dbt build` checks what that build wrote.)
    What that leaves unchecked, and why it is safe, is in docs/incremental.md ("What an
    incremental build tests"). `--vars '{test_every_row: true}'` checks every row of every table.

    A view over an incremental model that passes its `_batch_at` through unchanged says so with
    `meta: {tested_by_batch: true}` and is tested the same way (base_workbench__events).

    This replaces dbt's own get_where_subquery (the root project's macro wins), which every
    generic test calls on the relation it tests; a test's own `where` config still applies. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set tested = graph.nodes.get(model.get('attached_node') or '') if execute else none -%}
    {#- An incremental mart has no `_batch_at` (its watermark is stored apart): tested whole. -#}
    {%- set by_batch = tested and (
        (tested.config.materialized == 'incremental' and not tested.config.meta.get('stored_watermark'))
        or tested.config.meta.get('tested_by_batch')
    ) -%}
    {%- if by_batch and not var('test_every_row', false) -%}
        {%- set written = '_batch_at = (select max(_batch_at) from ' ~ relation ~ ')' -%}
        {%- set where = '(' ~ where ~ ') and ' ~ written if where else written -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}
