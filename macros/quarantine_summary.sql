{#- The two quarantine guards of the nightly build. Both return one row per reason code, so
    `--store-failures` shows where the bad lines come from, and both print a summary that says how
    many lines, which codes and where to look (dbt's own message only counts rows). -#}

{% macro quarantine_by_reason_sql() %}
    with

    quarantined as (
        select * from {{ ref('quarantined_events') }}
    ),

    codes as (
        select
            {{ split_to_rows('reasons', ';') }} as reason_code,
            source_file
        from quarantined
    )

    select
        reason_code,
        count(*) as lines,
        count(distinct source_file) as files
    from codes
    group by reason_code
{% endmacro %}

{% macro log_quarantine_summary(model, level_word) %}
    {% if execute %}
        {% set totals = run_query(
            "select coalesce(sum(events_quarantined), 0), coalesce(sum(records_read), 0) from " ~ model
        ) %}
        {% set quarantined = totals.columns[0].values()[0] | int %}
        {% set read = totals.columns[1].values()[0] | int %}
        {% if quarantined > 0 %}
            {% set by_reason = run_query(quarantine_by_reason_sql() ~ " order by lines desc, reason_code") %}
            {% set parts = [] %}
            {% for row in by_reason.rows %}
                {% do parts.append(row[0] ~ "=" ~ row[1]) %}
            {% endfor %}
            {{ log(
                level_word ~ ": " ~ quarantined ~ " of " ~ read ~ " raw lines ("
                ~ "%.2f" | format(100.0 * quarantined / read) ~ "%) were quarantined; reason codes: "
                ~ parts | join(", ") ~ ". See audit.quarantined_events (source_file, line_number, "
                ~ "raw_line, reasons) and audit.load_reconciliation per file. The build fails above "
                ~ "max_quarantine_rate=" ~ var('max_quarantine_rate') ~ ".",
                info=True
            ) }}
        {% endif %}
    {% endif %}
{% endmacro %}
