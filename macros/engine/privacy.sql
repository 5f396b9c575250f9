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

{#- An e-mail address in raw JSON text, where characters may be written as JSON escapes
    (`jane.roe\u0040corp.example`): the `@` and the dots as escapes, and escapes in the name
    before the `@` (any but `\u0040`, which would leave Spark's possessive run nothing to stop
    at). Only for the raw text of quarantined lines: a parsed value has its escapes decoded. -#}
{% macro raw_text_email_regex() -%}
    {{ return(adapter.dispatch('raw_text_email_regex', 'workbench')()) }}
{%- endmacro %}

{% macro default__raw_text_email_regex() -%}
    '(?:[A-Za-z0-9._%+-]|\\u00(?:[0-35-9A-Fa-f][0-9A-Fa-f]|4[1-9A-Fa-f]))+(?:@|\\u0040)[A-Za-z0-9-]+((?:[.]|\\u002[Ee])[A-Za-z0-9-]+)*(?:[.]|\\u002[Ee])[A-Za-z]{2,}'
{%- endmacro %}

{% macro spark__raw_text_email_regex() -%}
    {#- As spark__email_regex, as a raw literal: Spark's ordinary literals read `\\` as one. -#}
    r'(?<![A-Za-z0-9._%+-])(?:[A-Za-z0-9._%+-]|\\u00(?:[0-35-9A-Fa-f][0-9A-Fa-f]|4[1-9A-Fa-f]))++(?:@|\\u0040)[A-Za-z0-9-]+((?:[.]|\\u002[Ee])[A-Za-z0-9-]+)*(?:[.]|\\u002[Ee])[A-Za-z]{2,}'
{%- endmacro %}

{#- A regex (no anchors) for the literal text `text_expr` (letters, digits, `_`) as it may be
    written inside a JSON string: each character as itself or as the `\uXXXX` escape of its lower
    or upper case, so `"pass\u0077ord"` is still the key `password`. Match it case-insensitively. -#}
{% macro json_escapable_regex(text_expr) -%}
    {{ return(adapter.dispatch('json_escapable_regex', 'workbench')(text_expr)) }}
{%- endmacro %}

{% macro duckdb__json_escapable_regex(text_expr) -%}
    list_aggregate(
        list_transform(
            string_split({{ text_expr }}, ''),
            lambda c: '(?:' || c
            || '|\\u' || lpad(lower(hex(ord(lower(c)))), 4, '0')
            || '|\\u' || lpad(lower(hex(ord(upper(c)))), 4, '0') || ')'
        ),
        'string_agg',
        ''
    )
{%- endmacro %}

{% macro spark__json_escapable_regex(text_expr) -%}
    array_join(
        transform(
            filter(split({{ text_expr }}, ''), c -> c <> ''),
            c -> concat(
                '(?:', c,
                r'|\\u', lpad(lower(hex(ascii(lower(c)))), 4, '0'),
                r'|\\u', lpad(lower(hex(ascii(upper(c)))), 4, '0'), ')'
            )
        ),
        ''
    )
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
    `|`-separated, case-insensitive list of regexes, json_escapable_regex of each forbidden key)
    replaced by "[REDACTED]" and every e-mail address, JSON escapes included, by "[REDACTED]".
    Works on broken JSON too, as quarantined lines are; a nested object or array value is
    redacted one level deep. -#}
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
        {{ raw_text_email_regex() }},
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
        {{ raw_text_email_regex() }},
        '[REDACTED]'
    )
{%- endmacro %}
