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
