{#- Nothing is lost: every non-blank line of a file is accepted, a dropped duplicate or
    quarantined (contract section 3). Returns the files where the counts do not add up. -#}
{% test lines_reconcile(model) %}

select *
from {{ model }}
where lines_read <> events_accepted + duplicates_dropped + events_quarantined

{% endtest %}
