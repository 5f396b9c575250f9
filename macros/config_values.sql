{#- Settings that end up inside SQL text (globs, paths) are checked here first: a quote, a
    semicolon or a line break could change the statement, so such a value stops the build with a
    message naming the setting instead of being escaped into something surprising. -#}
{% macro checked_setting(name, value) -%}
    {%- set text = value | string -%}
    {%- set forbidden = {
        "'": "a single quote", '"': "a double quote", ';': "a semicolon",
        '\n': "a line break", '\r': "a carriage return", '\\': "a backslash"
    } -%}
    {%- for bad, label in forbidden.items() -%}
        {%- if bad in text -%}
            {{ exceptions.raise_compiler_error(
                "Setting " ~ name ~ " = <" ~ text ~ "> contains " ~ label
                ~ ", which is not allowed in a path or glob. Rename the files or folders, or "
                ~ "pass a glob without quotes, semicolons, backslashes or line breaks."
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(text) }}
{%- endmacro %}

{#- the setting as a SQL string literal (after the check above). -#}
{% macro setting_literal(name, value) -%}
    '{{ checked_setting(name, value) }}'
{%- endmacro %}

{#- The project's root folder: paths in vars are relative to it (docs/specification.md, 'Settings'),
    whichever folder dbt was started from. -#}
{% macro project_root() -%}
    {{ return(invocation_args_dict.get('project_dir') or '.') }}
{%- endmacro %}

{#- a path or glob from a var, checked, and made absolute against the project root. -#}
{% macro resolved_path_setting(name) -%}
    {%- set value = checked_setting(name, var(name)) | trim -%}
    {%- if value.startswith('/') -%}
        {{ return(value) }}
    {%- else -%}
        {{ return(project_root().rstrip('/') ~ '/' ~ value) }}
    {%- endif -%}
{%- endmacro %}

{#- A file's path as tables name it: relative to the project root when the file is under it (so
    tables do not depend on where the project is checked out), else absolute. -#}
{% macro project_relative_path(path_expr) -%}
    {%- set root = setting_literal('project root', project_root()) -%}
    case
        when left({{ path_expr }}, length({{ root }}) + 1) = {{ root }} || '/'
            then substr({{ path_expr }}, length({{ root }}) + 2)
        else {{ path_expr }}
    end
{%- endmacro %}
