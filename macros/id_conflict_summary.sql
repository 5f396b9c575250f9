{#- The two event id conflict guards (tests/generic/id_conflict_tests.sql). Both return one row
    per differing field, so `--store-failures` shows what the conflicts are about, and both print
    a summary that says how many, which fields and where to look. -#}

{% macro id_conflicts_by_field_sql(model) %}
    with

    conflicts as (
        select * from {{ model }}
    ),

    fields as (
        select
            {{ split_to_rows('differing_fields', ';') }} as field,
            event_id
        from conflicts
    )

    select
        field,
        count(*) as copies,
        count(distinct event_id) as event_ids
    from fields
    group by field
{% endmacro %}

{#- How many valid lines were read (kept or dropped as duplicates): the base of the share. -#}
{% macro valid_lines_read_sql() %}
    select count(*) as valid_lines
    from {{ ref('base_workbench__validated_lines') }}
    where is_valid
{% endmacro %}

{% macro log_id_conflict_summary(model) %}
    {% if execute %}
        {% set totals = run_query(
            "select (select count(*) from " ~ model ~ "), (select count(distinct event_id) from "
            ~ model ~ "), (" ~ valid_lines_read_sql() ~ ")"
        ) %}
        {% set conflicts = totals.columns[0].values()[0] | int %}
        {% set ids = totals.columns[1].values()[0] | int %}
        {% set valid = totals.columns[2].values()[0] | int %}
        {% if conflicts > 0 %}
            {% set by_field = run_query(id_conflicts_by_field_sql(model) ~ " order by copies desc, field") %}
            {% set parts = [] %}
            {% for row in by_field.rows %}
                {% do parts.append(row[0] ~ "=" ~ row[1]) %}
            {% endfor %}
            {{ log(
                "Event id conflicts: " ~ conflicts ~ " of " ~ valid ~ " valid lines ("
                ~ "%.2f" | format(100.0 * conflicts / valid) ~ "%) repeat one of " ~ ids
                ~ " eventIds with other content and were dropped as duplicates; differing fields: "
                ~ parts | join(", ") ~ ". See audit.event_id_conflicts (each dropped copy, the kept "
                ~ "copy and what differs); a client that reuses ids must send unique ones. The build "
                ~ "fails above max_id_conflict_rate=" ~ var('max_id_conflict_rate') ~ ".",
                info=True
            ) }}
        {% endif %}
    {% endif %}
{% endmacro %}
