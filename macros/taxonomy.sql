{#- The event taxonomy (seed event_taxonomy) read while a model compiles, so the validation SQL is
    generated from the one place that says which events have which properties. Nothing is read
    while dbt parses the project (`execute` is false then): the lists are empty and the generated
    SQL has no property columns, which no one runs. -#}

{#- One dict per distinct property key, sorted by key:
    key, column (the snake_case column name), value_type (the one every event gives it; `source`
    is an enum on the draft events and a free string on template_viewed, so a key can have
    several `rules`), rules (a list of {value_type, allowed_values, events}), events (every event
    that has the key), required_events, optional_events. -#}
{#- The built seed `name`, read while a model compiles (call it only when `execute` is true; the
    caller's ref() has registered the dependency at parse time). A unit test's ref() names its
    fixture rows, not the seed: the generated SQL still follows the built seed (schema `seeds`,
    dbt_project.yml), whatever rows the fixture gives. A seed not built yet stops with what to run. -#}
{% macro compile_time_seed(name) %}
    {%- set seed = ref(name) -%}
    {%- if model.resource_type == 'unit_test' -%}
        {%- set seed = api.Relation.create(
            database=target.database if target.database is defined else none,
            schema=generate_schema_name('seeds', none),
            identifier=name
        ) -%}
    {%- endif -%}
    {%- if adapter.get_relation(seed.database, seed.schema, seed.identifier) is none -%}
        {{ exceptions.raise_compiler_error(
            "The validation SQL is generated from the seed " ~ name ~ ", which is not built in "
            ~ seed.schema ~ " yet: run `dbt build` (it loads the seeds first) or `dbt seed`."
        ) }}
    {%- endif -%}
    {{ return(seed) }}
{% endmacro %}

{% macro taxonomy_properties() %}
    {%- set taxonomy = ref('event_taxonomy') -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set taxonomy = compile_time_seed('event_taxonomy') -%}
    {%- set result = run_query(
        "select property_key, column_name, event_name, is_required, value_type,"
        ~ " coalesce(allowed_values, '') as allowed_values"
        ~ " from " ~ taxonomy ~ " order by property_key, value_type, allowed_values, event_name"
    ) -%}
    {%- set properties = [] -%}
    {%- set by_key = {} -%}
    {%- for row in result.rows -%}
        {%- set key, column, event, required, value_type, allowed = row[0], row[1], row[2], row[3], row[4], row[5] -%}
        {%- if key not in by_key -%}
            {%- set property = {
                'key': key, 'column': column, 'rules': [], 'events': [],
                'required_events': [], 'optional_events': []
            } -%}
            {%- do by_key.update({key: property}) -%}
            {%- do properties.append(property) -%}
        {%- endif -%}
        {%- set property = by_key[key] -%}
        {%- set last = property.rules[-1] if property.rules else none -%}
        {%- if last is none or last.value_type != value_type or last.allowed_values != allowed -%}
            {%- do property.rules.append({'value_type': value_type, 'allowed_values': allowed, 'events': []}) -%}
        {%- endif -%}
        {%- do property.rules[-1].events.append(event) -%}
        {%- do property.events.append(event) -%}
        {%- do (property.required_events if required in (true, 'true', 'True') else property.optional_events).append(event) -%}
    {%- endfor -%}
    {%- for property in properties -%}
        {%- do property.update({'value_type': property.rules[0].value_type}) -%}
    {%- endfor -%}
    {{ return(properties) }}
{% endmacro %}

{#- `event_name in ('a', 'b')`, or the literal true/false when the list covers every event of the
    taxonomy (`event_count`, from taxonomy_event_count) or none, so the generated SQL stays short.
    Only for lines of a taxonomy event. -#}
{% macro event_in(events, event_count=none, column='event_name') -%}
    {%- if events | length == 0 -%}
        false
    {%- elif events | length == event_count -%}
        {#- every taxonomy event: the callers look only at lines of a taxonomy event -#}
        true
    {%- else -%}
        {{ column }} in ('{{ events | sort | join("', '") }}')
    {%- endif -%}
{%- endmacro %}

{#- The taxonomy's event names (of the properties taxonomy_properties returned), sorted. -#}
{% macro taxonomy_events(properties) -%}
    {%- set events = [] -%}
    {%- for property in properties -%}
        {%- for event in property.events if event not in events -%}
            {%- do events.append(event) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(events | sort) }}
{%- endmacro %}

{#- How many events the taxonomy (as taxonomy_properties returned it) has. -#}
{% macro taxonomy_event_count(properties) -%}
    {{ return(taxonomy_events(properties) | length) }}
{%- endmacro %}

{#- The forbidden keys of seed privacy_denylist, read while a model compiles, so the SQL carries them
    as constants: `keys`, the keys lower-case (a kept line's keys are matched against them, their
    escapes decoded by the parse), and `keys_alternation`, one regex alternation of every key that
    also matches it written with JSON escapes (json_escapable_regex; for the raw text of
    quarantined lines). As a constant, the redaction's regex is compiled once per build instead of
    once per quarantined line (a fifth of the validation's time at 1M lines). Empty while dbt parses. -#}
{% macro privacy_denylist() %}
    {%- set denylist = ref('privacy_denylist') -%}
    {%- if not execute -%}
        {{ return({'keys': [], 'keys_alternation': ''}) }}
    {%- endif -%}
    {%- set result = run_query(
        "select lower(property_key), " ~ json_escapable_regex('property_key')
        ~ " from " ~ compile_time_seed('privacy_denylist') ~ " order by property_key"
    ) -%}
    {{ return({
        'keys': result.columns[0].values() | list,
        'keys_alternation': result.columns[1].values() | join('|'),
    }) }}
{% endmacro %}
