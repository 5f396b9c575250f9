-- A planned event's day far below its trailing 7-day median: a client stopped sending it (macros/health_alerts.sql).
-- A warning: the build goes on, and prints one line per alert.
{{ config(severity='warn') }}
{%- set alert_sql = health_volume_drop_sql() %}
{{ log_health_alerts(alert_sql, 'Health alert (volume drop)') }}
{{ alert_sql }}
