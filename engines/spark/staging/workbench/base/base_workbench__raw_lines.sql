-- Spark's line reader: every non-blank physical line of every raw event file, as text, with its
-- 1-based line number. The DuckDB build reads lines with the Python model
-- engines/duckdb/.../base_workbench__raw_lines.py (dbt-spark's session method runs no Python
-- models); dbt_project.yml parses only the target's own. Its text is kept only while the build
-- judges it: base_workbench__validated_lines empties this table once its verdicts are written.
-- The rules are the same (docs/input.md, "Hostile and broken input"): gzip is decompressed by Spark's
-- text source, a byte-order mark at the start of a file is dropped, a line with invalid UTF-8 or a
-- NUL is kept with U+FFFD in their place and marked is_valid_utf8 = false, trailing CRs are the
-- line terminator, whitespace-only lines are ignored. Each file is read whole (wholetext), so
-- its lines keep their order and numbers.
with

files as (
    select * from {{ ref('base_workbench__raw_files') }}
    where size_bytes > 0
),

-- Both formats' files (macros/raw_inputs.sql), each read through its own glob; a file listed in
-- base_workbench__raw_files under the other format is that format's, so it is read once.
file_texts as (
    {%- for input in raw_input_globs() %}
    select
        {{ spark_file_path('input_file_name()') }} as absolute_path,
        '{{ input.input_format }}' as input_format,
        value as file_text
    from {{ spark_file_view("'" ~ input.glob ~ "'", 'text', {'wholetext': 'true'}) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- Splitting text goes through Java strings, which turn invalid UTF-8 into U+FFFD and so hide it.
-- A file that is not valid UTF-8 is therefore split as bytes (hex pairs, at each 0A byte), so
-- each line keeps its own bytes and its own verdict; the rest are split as text.
file_lines as (
    select
        file_texts.absolute_path,
        file_texts.input_format,
        cast(exploded.line_index + 1 as bigint) as line_number,
        exploded.line
    from file_texts
    lateral view posexplode(
        case
            when is_valid_utf8(file_texts.file_text) then split(file_texts.file_text, '\n')
            else transform(
                split(regexp_replace(hex(cast(file_texts.file_text as binary)), '(..)', '$1 '), '(?<=^| )0A '),
                line_hex -> cast(unhex(replace(line_hex, ' ', '')) as string)
            )
        end
    ) exploded as line_index, line
),

decoded as (
    select
        absolute_path,
        input_format,
        line_number,
        -- A byte-order mark is an encoding marker at the very start of a file, not content.
        case
            when line_number = 1 then regexp_replace(line, '^\uFEFF', '')
            else line
        end as line,
        is_valid_utf8(line) and instr(line, char(0)) = 0 as is_valid_utf8
    from file_lines
),

final as (
    select
        files.source_file,
        decoded.line_number,
        regexp_replace(replace(make_valid_utf8(decoded.line), char(0), '\uFFFD'), '\r+$', '')
            as raw_line,
        decoded.is_valid_utf8,
        files._batch_at,
        -- DuckDB's reader writes a row per file with these (its hash and file-level verdict);
        -- Spark writes none (docs/spark.md).
        cast(null as string) as content_sha256,
        cast(null as string) as file_reason,
        cast(null as string) as file_detail
    from decoded
    inner join files
        on
            decoded.absolute_path = files.absolute_path
            and decoded.input_format = files.input_format
)

select * from final
where {{ trim_blank('raw_line') }} <> ''
