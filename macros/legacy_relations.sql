{#- Warehouses built before the ingestion steps became base models kept every raw line, verbatim,
    in staging.stg_workbench__raw_lines (and read it through two views). Nothing reads those any
    more, and the raw text must not stay: they are dropped at the start of every build (a no-op
    once they are gone). The other stg_workbench__ ingestion tables of such a warehouse are left
    alone: they hold no raw text, and the events of files pruned since are only there
    (docs/incremental.md, "Upgrading a warehouse"). -#}
{% macro drop_legacy_raw_lines() %}
    {%- if execute and target.type == 'duckdb' -%}
        {%- for name, kind in [
            ('stg_workbench__line_properties', 'view'),
            ('stg_workbench__parsed_lines', 'view'),
            ('stg_workbench__raw_lines', 'table'),
        ] -%}
            {%- set relation = adapter.get_relation(target.database, 'staging', name) -%}
            {%- if relation is not none -%}
                {%- do run_query('drop ' ~ relation.type ~ ' if exists ' ~ relation) -%}
                {{ log("Dropped " ~ relation ~ " (raw lines of an earlier version of this project).", info=True) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{#- A model that became incremental finds, in a warehouse built before, a table of the same name
    without `_batch_at`, from which no watermark can be read (incremental_watermark). Such a
    table is dropped at the start of the build, so the model builds it whole again from its
    inputs. Only models that --full-refresh may rebuild: the load history (`full_refresh=false`)
    always had `_batch_at`. One query on the catalog, then nothing once every table has it. -#}
{% macro drop_incremental_tables_without_batch_at() %}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set names = [] -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model'
            and node.config.materialized == 'incremental'
            and node.config.full_refresh is not false
            and not node.config.meta.get('stored_watermark') -%}
            {%- do names.append("('" ~ node.schema ~ "', '" ~ node.alias ~ "')") -%}
        {%- endfor -%}
        {%- if names -%}
            {%- set found = run_query(
                "select table_schema, table_name from information_schema.columns"
                ~ " where table_catalog = '" ~ target.database ~ "'"
                ~ " and (table_schema, table_name) in (" ~ names | join(', ') ~ ")"
                ~ " group by table_schema, table_name"
                ~ " having not bool_or(column_name = '_batch_at')"
            ) -%}
            {%- for row in found.rows -%}
                {%- set relation = adapter.get_relation(target.database, row[0], row[1]) -%}
                {%- if relation is not none and relation.type == 'table' -%}
                    {#- Through the adapter, which also forgets the table in dbt's cache of
                        relations (read before this hook): the model must see that it is gone. -#}
                    {%- do adapter.drop_relation(relation) -%}
                    {{ log("Dropped " ~ relation ~ " (built before it was incremental; this build builds it whole).", info=True) }}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
