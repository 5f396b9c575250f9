-- An event name or property key outside the taxonomy, new in the last days: a client shipped a change the plan does not know (macros/health_alerts.sql).
-- A warning: the build goes on, and prints one line per alert.
{{ config(severity='warn') }}
{%- set alert_sql = health_new_unplanned_sql() %}
{{ log_health_alerts(alert_sql, 'Health alert (new unplanned)') }}
{{ alert_sql }}
