{#- The columns together identify a row: no combination appears twice, and none is null. Fails
    with one row per duplicated key, and one per key with a null, with its number of rows.
    Duplicates are found in two steps, because the key tests of the line-level tables stand
    between each ingestion step and the next, so a full build waits for them: the rows are first
    grouped by one hash of the key, a number, and only the keys whose hash is seen more than
    once are then grouped by their columns (two keys that merely share a hash are no failure).
    On 10M lines that took 0.5-0.6 s, where grouping every row by the key's columns took
    0.9-1.4 s (bench/results.md). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set key = combination_of_columns | join(', ') %}

with

rows_with_key as (
    select {{ key }}
    from {{ model }}
),

shared_hashes as (
    select hash({{ key }}) as key_hash
    from rows_with_key
    group by hash({{ key }})
    having count(*) > 1
),

duplicated_keys as (
    select
        {{ key }},
        count(*) as copies
    from rows_with_key
    where
        hash({{ key }}) in (select shared_hashes.key_hash from shared_hashes)
        {%- for column in combination_of_columns %}
        and {{ column }} is not null
        {%- endfor %}
    group by {{ key }}
    having count(*) > 1
),

keys_with_nulls as (
    select
        {{ key }},
        count(*) as copies
    from rows_with_key
    where
        {%- for column in combination_of_columns %}
        {{ 'or ' if not loop.first }}{{ column }} is null
        {%- endfor %}
    group by {{ key }}
),

problems as (
    select * from duplicated_keys
    union all
    select * from keys_with_nulls
)

select * from problems

{% endtest %}
