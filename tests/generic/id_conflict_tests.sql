{#- The two event id conflict guards; helpers in macros/id_conflict_summary.sql. -#}

{#- Warn (configure severity: warn) when any later copy of an event id differs from the kept one. -#}
{% test id_conflicts_present(model) %}
    -- depends_on: {{ ref('base_workbench__validated_lines') }}
    {{ log_id_conflict_summary(model) }}
    {{ id_conflicts_by_field_sql(model) }}
{% endtest %}

{#- Fail when conflicting copies are more than max_rate of the valid lines read. -#}
{% test id_conflict_rate_within_limit(model, max_rate) %}
    {%- set max_rate_number = max_rate | float -%}
    with

    totals as (
        select
            (select count(*) from {{ model }}) as conflicts,
            ({{ valid_lines_read_sql() }}) as valid_lines
    ),

    by_field as (
        {{ id_conflicts_by_field_sql(model) }}
    )

    select
        by_field.*,
        totals.conflicts,
        totals.valid_lines,
        {{ max_rate_number }} as max_id_conflict_rate
    from by_field
    cross join totals
    where totals.valid_lines > 0
        and cast(totals.conflicts as double) / totals.valid_lines > {{ max_rate_number }}
{% endtest %}
