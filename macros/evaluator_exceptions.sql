{#- dbt-project-evaluator reads its exceptions with filter_exceptions(), from the table of its
    exceptions seed. The best-practice check builds only the evaluator's own models
    (docs/contributing.md, 'Checking best practices'), so this project's seed of that name is not
    built there; this override, found first through the `dispatch:` of dbt_project.yml, reads the
    seed's CSV file itself. Used only when that package is installed. -#}
{% macro duckdb__filter_exceptions() %}
    {%- if execute and flags.WHICH not in ['compile'] %}
        {#- Relative to the project root, where dbt runs. -#}
        {%- set exceptions_file = 'seeds/dbt_project_evaluator_exceptions.csv' %}
        {%- set query_filters %}
            select column_name, id_to_exclude
            from read_csv('{{ exceptions_file }}', header = true, all_varchar = true)
            where fct_name = '{{ model.name }}'
        {%- endset %}
        where 1 = 1
        {%- for row_filter in run_query(query_filters) %}
            and {{ row_filter[0] }} not like '{{ row_filter[1] }}'
        {%- endfor %}
    {%- endif %}
{% endmacro %}
