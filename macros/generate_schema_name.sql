{#- Public schemas are named exactly as the specification writes them (audit, marts), with no
    target-schema prefix, so dashboards and acceptance checks find them by name. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
