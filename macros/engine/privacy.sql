{#- Privacy rules (docs/specification.md, 'Privacy'), engine-specific pieces. -#}

{#- An e-mail address, as found in free text (a SQL string literal). -#}
{% macro email_regex() -%}
    {{ return(adapter.dispatch('email_regex', 'workbench')()) }}
{%- endmacro %}

{% macro default__email_regex() -%}
    '[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}'
{%- endmacro %}

{% macro spark__email_regex() -%}
    {#- The same matches, written for Java's backtracking regex engine (DuckDB's RE2 is linear
        anyway): a search would otherwise restart inside every long run of letters and scan it
        again, hours on a 10 MB line. A match starts where such a run starts (the lookbehind),
        and the possessive `++` never gives back what it took, so each run is scanned once. -#}
    '(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]++@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}'
{%- endmacro %}

{% macro is_email(text_expr) -%}
    {{ return(adapter.dispatch('is_email', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__is_email(text_expr) -%}
    regexp_full_match({{ trim_blank(text_expr) }}, {{ email_regex() }})
{%- endmacro %}

{% macro spark__is_email(text_expr) -%}
    ({{ trim_blank(text_expr) }} rlike concat('^(?:', {{ email_regex() }}, ')$'))
{%- endmacro %}

{% macro contains_email(text_expr) -%}
    {{ return(adapter.dispatch('contains_email', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__contains_email(text_expr) -%}
    regexp_matches({{ text_expr }}, {{ email_regex() }})
{%- endmacro %}

{% macro spark__contains_email(text_expr) -%}
    ({{ text_expr }} rlike {{ email_regex() }})
{%- endmacro %}

{% macro redact_emails(text_expr, replacement) -%}
    {{ return(adapter.dispatch('redact_emails', 'workbench')(text_expr, replacement)) }}
{%- endmacro %}

{% macro duckdb__redact_emails(text_expr, replacement) -%}
    regexp_replace({{ text_expr }}, {{ email_regex() }}, '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__redact_emails(text_expr, replacement) -%}
    regexp_replace({{ text_expr }}, {{ email_regex() }}, '{{ replacement }}')
{%- endmacro %}

{#- `sha256:` + hex SHA-256 of the salt and the value. The salt comes from env WORKBENCH_PII_SALT
    through a connection variable that plugins/workbench_duckdb.py sets, never through SQL text. -#}
{% macro pii_hash(text_expr) -%}
    {{ return(adapter.dispatch('pii_hash', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__pii_hash(text_expr) -%}
    'sha256:' || sha256(coalesce(getvariable('workbench_pii_salt'), '') || {{ trim_blank(text_expr) }})
{%- endmacro %}

{% macro spark__pii_hash(text_expr) -%}
    {#- Spark substitutes ${...} from the session configuration, which the profile sets from
        env WORKBENCH_PII_SALT: the salt is in neither this SQL text nor dbt's logs. -#}
    'sha256:' || sha2('${spark.workbench.pii_salt}' || {{ trim_blank(text_expr) }}, 256)
{%- endmacro %}

{#- A URL without its query string and fragment (scheme, host and path kept). -#}
{% macro url_without_query(text_expr) -%}
    {{ return(adapter.dispatch('url_without_query', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__url_without_query(text_expr) -%}
    regexp_replace({{ text_expr }}, '^([^?#]*).*$', '\1')
{%- endmacro %}

{% macro spark__url_without_query(text_expr) -%}
    regexp_replace({{ text_expr }}, '^([^?#]*).*$', '$1')
{%- endmacro %}

{#- The raw text with the value of every key matched by `keys_alternation_expr` (a
    `|`-separated, case-insensitive list) replaced by "[REDACTED]" and every e-mail address by
    "[REDACTED]". Works on broken JSON too, as quarantined lines are; a nested object or array
    value is redacted one level deep. -#}
{% macro redact_raw_text(text_expr, keys_alternation_expr) -%}
    {{ return(adapter.dispatch('redact_raw_text', 'workbench')(text_expr, keys_alternation_expr)) }}
{%- endmacro %}

{% macro duckdb__redact_raw_text(text_expr, keys_alternation_expr) -%}
    regexp_replace(
        regexp_replace(
            {{ text_expr }},
            '("(?i:' || {{ keys_alternation_expr }} || ')"[ \t]*:[ \t]*)'
            || '("([^"\\]|\\.)*"?|\[[^\]]*\]?|\{[^}]*\}?|[^,}\]]*)',
            '\1"[REDACTED]"',
            'g'
        ),
        {{ email_regex() }},
        '[REDACTED]',
        'g'
    )
{%- endmacro %}

{% macro spark__redact_raw_text(text_expr, keys_alternation_expr) -%}
    {#- DuckDB's patterns as raw literals (r'...'): Spark's ordinary string literals would read
        the backslashes as escapes. A quoted value is matched as an unrolled loop of possessive
        runs, not ("[^"\\]|\\.")*, which Java's regex engine recurses into once per character (a
        stack overflow on a long value). Java writes a group reference as $1. -#}
    regexp_replace(
        regexp_replace(
            {{ text_expr }},
            '("(?i:' || {{ keys_alternation_expr }} || r')"[ \t]*:[ \t]*)'
            || r'("[^"\\]*+(?:\\.[^"\\]*+)*+"?|\[[^\]]*\]?|\{[^}]*\}?|[^,}\]]*)',
            '$1"[REDACTED]"'
        ),
        {{ email_regex() }},
        '[REDACTED]'
    )
{%- endmacro %}
