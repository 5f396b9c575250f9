{#- Nothing is lost: every non-blank line of a file is accepted, a dropped duplicate or
    quarantined (docs/specification.md, 'Bad input and reason codes'). Returns the files where the
    counts do not add up. -#}
{% test lines_reconcile(model) %}

select *
from {{ model }}
where lines_read <> events_accepted + duplicates_dropped + events_quarantined

{% endtest %}
