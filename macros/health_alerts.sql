{#- The instrumentation-health alerts (docs/health.md): the SQL of each warn-severity test in
    tests/health/, one row per alert with a `message` that names the event, the day and the
    number. dbt itself prints only the test's name and how many rows failed, so each test also
    logs its messages (log_health_alerts). Only the newest health_alert_days days of the data
    are looked at, so an old break is not announced again every night. -#}

{#- A number var of the alerts, checked: the build stops naming it rather than comparing to text. -#}
{% macro health_number_var(name) -%}
    {%- set value = var(name) | string | trim -%}
    {%- if not modules.re.fullmatch('[0-9]+([.][0-9]+)?', value) -%}
        {{ exceptions.raise_compiler_error(
            name ~ " = <" ~ value ~ "> is not a non-negative number. Pass one, e.g. --vars '{"
            ~ name ~ ": 3}' (dbt_project.yml sets the default; docs/health.md says what it does)."
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- `date_expr` minus `days` days, as a date. -#}
{% macro health_days_before(date_expr, days) -%}
    cast({{ dbt.dateadd('day', '-' ~ days, date_expr) }} as date)
{%- endmacro %}

{#- The days the alerts look at: after this one. -#}
{% macro health_alert_window_start_sql() -%}
    (
        select {{ health_days_before('max(event_date)', health_number_var('health_alert_days')) }}
        from {{ ref('health_event_daily') }}
    )
{%- endmacro %}

{#- A planned event whose day (not the newest, which a nightly build sees only in part) received
    fewer lines than health_min_volume_share of the median of its 7 days before, when those 7
    days all had data and their median is at least health_min_trailing_median_lines. -#}
{% macro health_volume_drop_sql() %}
    {%- set share = health_number_var('health_min_volume_share') %}
    {%- set min_median = health_number_var('health_min_trailing_median_lines') %}
    with

    daily as (
        select * from {{ ref('health_event_daily') }}
    ),

    with_baseline as (
        select
            day_rows.event_name,
            day_rows.event_date,
            day_rows.lines_received,
            count(*) as trailing_days,
            {{ median_interpolated('before_rows.lines_received') }} as trailing_median
        from daily as day_rows
        inner join daily as before_rows
            on
                day_rows.event_name = before_rows.event_name
                and before_rows.event_date >= {{ health_days_before('day_rows.event_date', 7) }}
                and before_rows.event_date < day_rows.event_date
        where
            not day_rows.is_latest_day
            and day_rows.event_date > {{ health_alert_window_start_sql() }}
        group by day_rows.event_name, day_rows.event_date, day_rows.lines_received
    )

    select
        event_name,
        event_date,
        lines_received,
        trailing_median,
        event_name || ' on ' || cast(event_date as string) || ': ' || cast(lines_received as string)
        || ' lines, below {{ share }} of its trailing 7-day median of '
        || cast(trailing_median as string) || ' (an instrumentation break?)' as message
    from with_baseline
    where
        trailing_days = 7
        and trailing_median >= {{ min_median }}
        and lines_received < {{ share }} * trailing_median
{% endmacro %}

{#- A quarantine reason code whose day has at least health_min_quarantine_rise_lines lines and
    more than health_quarantine_rise_factor times the median of its days before (up to 7 days
    with data; a day without the code counts 0). The first day of the data has no baseline. -#}
{% macro health_quarantine_rise_sql() %}
    {%- set factor = health_number_var('health_quarantine_rise_factor') %}
    {%- set min_lines = health_number_var('health_min_quarantine_rise_lines') %}
    with

    reasons_daily as (
        select * from {{ ref('health_event_reasons_daily') }}
    ),

    days as (
        select distinct event_date from {{ ref('health_event_daily') }}
    ),

    by_code as (
        select
            event_date,
            reason_code,
            sum(lines) as lines
        from reasons_daily
        group by event_date, reason_code
    ),

    codes as (
        select distinct reason_code from by_code
    ),

    filled as (
        select
            days.event_date,
            codes.reason_code,
            coalesce(by_code.lines, 0) as lines
        from days
        cross join codes
        left join by_code
            on
                days.event_date = by_code.event_date
                and codes.reason_code = by_code.reason_code
    ),

    with_baseline as (
        select
            day_rows.reason_code,
            day_rows.event_date,
            day_rows.lines,
            {{ median_interpolated('before_rows.lines') }} as trailing_median
        from filled as day_rows
        inner join filled as before_rows
            on
                day_rows.reason_code = before_rows.reason_code
                and before_rows.event_date >= {{ health_days_before('day_rows.event_date', 7) }}
                and before_rows.event_date < day_rows.event_date
        where day_rows.event_date > {{ health_alert_window_start_sql() }}
        group by day_rows.reason_code, day_rows.event_date, day_rows.lines
    )

    select
        reason_code,
        event_date,
        lines,
        trailing_median,
        reason_code || ' on ' || cast(event_date as string) || ': ' || cast(lines as string)
        || ' quarantined lines, over {{ factor }} times its trailing 7-day median of '
        || cast(trailing_median as string) || ' (marts.health_event_reasons_daily names the events)' as message
    from with_baseline
    where
        lines >= {{ min_lines }}
        and lines > {{ factor }} * trailing_median
{% endmacro %}

{#- An event name or a property key outside the taxonomy first seen in the alert window
    (forbidden keys are expected to come and go: they are counted, not announced). -#}
{% macro health_new_unplanned_sql() %}
    with

    unplanned_events as (
        select * from {{ ref('health_unplanned_events') }}
    ),

    unplanned_properties as (
        select * from {{ ref('health_unplanned_properties') }}
    ),

    new_items as (
        select
            'event' as kind,
            event_name,
            cast(null as string) as property_key,
            first_seen_date,
            lines
        from unplanned_events
        where first_seen_date > {{ health_alert_window_start_sql() }}
        union all
        select
            'property' as kind,
            event_name,
            property_key,
            first_seen_date,
            lines
        from unplanned_properties
        where
            not is_denylisted
            and first_seen_date > {{ health_alert_window_start_sql() }}
    )

    select
        kind,
        event_name,
        property_key,
        first_seen_date,
        lines,
        case
            when kind = 'event'
                then 'new unplanned event ' || event_name
            else 'new unplanned property ' || property_key || ' on ' || event_name
        end || ' since ' || cast(first_seen_date as string) || ': ' || cast(lines as string)
        || ' lines' as message
    from new_items
{% endmacro %}

{#- Logs each alert's message (at most 20, then how many more), so the build's output says what
    fired; the test then returns the same rows. Only when tests run (`dbt build`, `dbt test`):
    compiling (`dbt compile`, `dbt docs generate`, sqlfluff) needs no warehouse to query. -#}
{% macro log_health_alerts(alert_sql, title) %}
    {%- if execute and flags.WHICH in ('build', 'test') %}
        {%- set alerts = run_query("select message from (" ~ alert_sql ~ ") as alerts order by message") %}
        {%- for row in alerts.rows[:20] %}
            {{ log(title ~ ": " ~ row[0], info=True) }}
        {%- endfor %}
        {%- if alerts.rows | length > 20 %}
            {{ log(title ~ ": and " ~ (alerts.rows | length - 20) ~ " more (run the test with --store-failures to see them all).", info=True) }}
        {%- endif %}
    {%- endif %}
{% endmacro %}
