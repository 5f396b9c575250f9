{#- Rows from a `key:value;key:value` text column of kept lines (the form in which
    base_workbench__validated_lines records property issues and privacy findings): one row per
    pair, with event_id, event_name, property_key, `<value_name>`, source_file, line_number. -#}
{% macro kept_line_key_values(column, value_name) %}
    with

    kept_lines as (
        select * from {{ ref('base_workbench__validated_lines') }}
        where is_valid and not is_duplicate and {{ column }} is not null
    ),

    pairs as (
        select
            event_id,
            event_name,
            source_file,
            line_number,
            {{ split_to_rows(column, ';') }} as pair
        from kept_lines
    ),

    final as (
        select
            event_id,
            event_name,
            split_part(pair, ':', 1) as property_key,
            split_part(pair, ':', 2) as {{ value_name }},
            source_file,
            line_number
        from pairs
    )

    select * from final
{% endmacro %}
