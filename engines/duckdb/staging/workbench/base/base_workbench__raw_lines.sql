{{ config(materialized='view') }}
-- One row per non-blank physical line that is waiting for its verdict: the lines of the blocks
-- whose text base_workbench__validated_lines has not yet forgotten (normally only this build's).
-- A view, so the line text is stored once, in the blocks, and only until it is judged.
with

blocks as (
    select * from {{ ref('base_workbench__raw_line_blocks') }}
    where lines is not null
),

-- The three lists of a block are parallel: DuckDB unnests them side by side.
final as (
    select
        source_file,
        unnest(line_numbers) as line_number,
        unnest(lines) as raw_line,
        unnest(is_valid_utf8) as is_valid_utf8,
        _batch_at
    from blocks
)

select * from final
