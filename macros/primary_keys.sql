{#- Primary keys: declared in the contracts (a `primary_key` constraint of a public model's YAML),
    enforced in the serving file, not in the build file.

    On DuckDB a primary key is an index built row by row as the table is written, and written out
    again at commit: at 10M events, fct_chat_turns (2.4M rows) took 15.9 s to build with its key;
    its query written to a table without one, 1.9 s. Most marts are rebuilt whole on every
    build, the incremental ones rewrite their touched sessions, and nothing in the build reads
    those indexes; the unique and not_null data tests on every key already check it. So the
    build file's tables are created without primary keys, and
    scripts/publish.py adds each mart's key to the serving file (where BI tools read it) after
    the rows are copied, which is cheaper than inserting into an indexed table. The keys travel
    in a small table the build writes at its end (record_primary_keys). -#}

{#- The create-table columns of a contract, without its primary keys (dbt's own macro with the
    primary_key constraints left out; every other constraint stays). dbt finds this before its
    default because dbt_project.yml puts this project first in the `dbt` dispatch order. -#}
{% macro duckdb__get_table_columns_and_constraints() -%}
    {%- set columns = {} -%}
    {%- for name, column in model['columns'].items() -%}
        {%- do columns.update({name: {
            'name': column['name'],
            'quote': column.get('quote'),
            'data_type': column['data_type'],
            'constraints': column.get('constraints', []) | rejectattr('type', 'equalto', 'primary_key') | list,
        }}) -%}
    {%- endfor -%}
    {%- set column_ddl = adapter.render_raw_columns_constraints(raw_columns=columns) -%}
    {%- set model_ddl = adapter.render_raw_model_constraints(
        raw_constraints=model['constraints'] | rejectattr('type', 'equalto', 'primary_key') | list
    ) -%}
    (
    {% for c in column_ddl + model_ddl -%}
        {{ c }}{{ "," if not loop.last }}
    {% endfor -%}
    )
{%- endmacro %}

{#- [(relation name, [key columns])] of every model of schema marts with a contract's primary
    key: a `primary_key` constraint on one column, or on the model with its columns. -#}
{% macro mart_primary_keys() -%}
    {%- set keys = [] -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.schema == 'marts'
        and node.config.materialized in ['table', 'incremental'] -%}
        {%- set key = [] -%}
        {%- for column in node.columns.values() -%}
            {%- if column.constraints | selectattr('type', 'equalto', 'primary_key') | list -%}
                {%- do key.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for constraint in node.constraints if constraint.type == 'primary_key' -%}
            {%- do key.extend(constraint.columns) -%}
        {%- endfor -%}
        {%- do keys.append((node.alias, key)) -%}
    {%- endfor -%}
    {{ return(keys | sort) }}
{%- endmacro %}

{#- on-run-end of `dbt build` and `dbt run` on DuckDB: staging.mart_primary_keys, one row per
    table of schema marts with its key columns, for scripts/publish.py. A mart without a key
    stops here, naming it: the contract (and the serving file's readers) expect one. -#}
{% macro record_primary_keys() %}
    {%- if execute and target.type == 'duckdb' and flags.WHICH in ['build', 'run'] -%}
        {%- set rows = [] -%}
        {%- for table, key in mart_primary_keys() -%}
            {%- if not key -%}
                {{ exceptions.raise_compiler_error(
                    "Model " ~ table ~ " (schema marts) has no primary key: give its contract a "
                    ~ "`primary_key` constraint in its YAML (a column's `constraints`, or the "
                    ~ "model's with `columns: [...]`); scripts/publish.py adds it to the serving file."
                ) }}
            {%- endif -%}
            {%- set quoted = [] -%}
            {%- for column in key -%}
                {%- do quoted.append(dbt.string_literal(column)) -%}
            {%- endfor -%}
            {%- do rows.append("(" ~ dbt.string_literal(table) ~ ", [" ~ quoted | join(", ") ~ "])") -%}
        {%- endfor -%}
        {%- do run_query("create schema if not exists " ~ target.database ~ ".staging") -%}
        {%- do run_query(
            "create or replace table " ~ target.database ~ ".staging.mart_primary_keys as "
            ~ "select * from (values " ~ rows | join(", ") ~ ") as keys(table_name, key_columns)"
        ) -%}
    {%- endif -%}
{% endmacro %}
