{#- The two quarantine guards of the nightly build; helpers in macros/quarantine_summary.sql. -#}

{#- Warn (configure severity: warn) when any line was quarantined. -#}
{% test quarantine_present(model) %}
    {{ log_quarantine_summary(model, "Quarantine") }}
    {{ quarantine_by_reason_sql() }}
{% endtest %}

{#- Fail when the quarantined share of all records read (lines, OTLP log records, CSV rows)
    exceeds max_rate. -#}
{% test quarantine_rate_within_limit(model, max_rate) %}
    {%- set max_rate_number = max_rate | float -%}
    with

    totals as (
        select
            coalesce(sum(events_quarantined), 0) as quarantined,
            coalesce(sum(records_read), 0) as records_read
        from {{ model }}
    ),

    by_reason as (
        {{ quarantine_by_reason_sql() }}
    )

    select
        by_reason.*,
        totals.quarantined,
        totals.records_read,
        {{ max_rate_number }} as max_quarantine_rate
    from by_reason
    cross join totals
    where totals.records_read > 0
        and cast(totals.quarantined as double) / totals.records_read > {{ max_rate_number }}
{% endtest %}
