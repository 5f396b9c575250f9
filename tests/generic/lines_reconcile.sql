{#- Nothing is lost: every record read (a non-blank flat line or CSV row, an OTLP log record, an
    OTLP line that is no OTLP JSON) is accepted, a dropped duplicate or quarantined
    (docs/specification.md, 'Bad input and reason codes'). Returns the files where the counts do
    not add up. -#}
{% test lines_reconcile(model) %}

select *
from {{ model }}
where records_read <> events_accepted + duplicates_dropped + events_quarantined

{% endtest %}
