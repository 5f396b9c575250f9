{#- The columns together identify a row: no combination appears twice, and none is null. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

rows_with_key as (
    select {{ combination_of_columns | join(', ') }}
    from {{ model }}
),

problems as (
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as copies
    from rows_with_key
    group by {{ combination_of_columns | join(', ') }}
    having
        count(*) > 1
        {%- for column in combination_of_columns %}
            or {{ column }} is null
        {%- endfor %}
)

select * from problems

{% endtest %}
