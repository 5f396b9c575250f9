{#- Every row of `relation` (a CTE or table with columns `position_columns`, a unique position),
    plus `flag_name`: true for a row where `condition` holds that is not the first, in
    `position_columns` order, of the rows with its `key` and the condition. -#}
{% macro flag_later_copies(relation, key, condition, position_columns, flag_name) -%}
    {{ return(adapter.dispatch('flag_later_copies', 'workbench')(relation, key, condition, position_columns, flag_name)) }}
{%- endmacro %}

{% macro duckdb__flag_later_copies(relation, key, condition, position_columns, flag_name) -%}
    {#- Only the keys that occur more than once are ranked: a window over every (wide) row would
        sort all of them with all their columns, several times slower. -#}
    with

    repeated_keys as (
        select {{ key }}
        from {{ relation }}
        where {{ condition }}
        group by {{ key }}
        having count(*) > 1
    ),

    ranked as (
        select
            {%- for column in position_columns %}
            {{ relation }}.{{ column }},
            {%- endfor %}
            row_number() over (
                partition by {{ relation }}.{{ key }}
                order by {{ relation }}.{{ position_columns | join(', ' ~ relation ~ '.') }}
            ) > 1 as is_later
        from {{ relation }}
        inner join repeated_keys
            on {{ relation }}.{{ key }} = repeated_keys.{{ key }}
        where {{ relation }}.{{ condition }}
    )

    select
        {{ relation }}.*,
        coalesce(ranked.is_later, false) as {{ flag_name }}
    from {{ relation }}
    left join ranked
        on
            {%- for column in position_columns %}
            {{ "and " if not loop.first }}{{ relation }}.{{ column }} = ranked.{{ column }}
            {%- endfor %}
{%- endmacro %}

{% macro spark__flag_later_copies(relation, key, condition, position_columns, flag_name) -%}
    {#- One window: Spark inlines a CTE at every reference, and this one is the whole validation. -#}
    select
        *,
        case
            when {{ condition }}
                then row_number() over (partition by {{ key }} order by {{ position_columns | join(', ') }}) > 1
            else false
        end as {{ flag_name }}
    from {{ relation }}
{%- endmacro %}
