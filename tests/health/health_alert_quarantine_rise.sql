-- A quarantine reason code rising suddenly: a client started sending it wrong (macros/health_alerts.sql).
-- A warning: the build goes on, and prints one line per alert.
{{ config(severity='warn') }}
{%- set alert_sql = health_quarantine_rise_sql() %}
{{ log_health_alerts(alert_sql, 'Health alert (quarantine rise)') }}
{{ alert_sql }}
