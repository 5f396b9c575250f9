{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='delete+insert',
    unique_key='event_id',
) }}
-- One row per valid line dropped as a later copy of an event id, beside its kept copy, with the
-- fields whose content differs (null when none does) and the build stamp that makes it
-- incremental; audit.event_id_conflicts is its public face: the rows that do differ, without the
-- stamp (a build-time value no reader should compare).
--
-- The content compared is the canonical form every line already has once judged: the event name
-- and each taxonomy property as typed, normalized and privacy-treated. So `Z` and `+00:00`, key
-- order, a property at the top level or inside `properties`, and keys the taxonomy does not know
-- make no difference; a null (absent) property and a present one do. The raw text is forgotten
-- by then, so nothing is parsed again, and only the few repeated ids are compared.
--
-- Incremental (DuckDB): a comparison can only change when a copy of its event id is judged, or
-- re-decided as kept or later copy, and each such line is stamped `_batch_at`. So a build
-- compares again only the ids that lines stamped since this table's newest row carry, and
-- replaces their rows (delete+insert on event_id). Copies are only ever added between two such
-- builds (a repair of files rebuilds the table whole), so an id's later copies never go away.
-- Every later copy has a row, equal content included, so the table has a newest row as soon as
-- any id repeats (a resend is enough), not only once two copies conflict; an empty table (no id
-- ever repeated) compares every id, which then costs one scan of is_duplicate.
-- noqa: disable=LT02
-- (sqlfluff cannot place the indentation of SQL generated in Jinja loops and macros; every other
-- rule applies, and the generated shape is in target/compiled.)
{%- set properties = taxonomy_properties() %}
{%- set validated_lines = ref('base_workbench__validated_lines') %}
{#- What the narrow pass reads of each copy, the later ones and the kept ones alike. #}
{%- set copy_columns = [
    'event_id', 'source_file', 'line_number', 'record_number', 'event_name', 'content_hash'
] %}
-- The table is named in each step rather than once in an import CTE: DuckDB materializes a CTE
-- that is read more than once, and this one would be every line with all its columns (at 10M
-- lines it spilled past the memory limit and took most of this step's time).
with

-- Narrow first: the copies' positions and content hashes. The kept copies of those ids only,
-- chosen by id.
later_copies as (
    select {{ copy_columns | join(', ') }}
    from {{ validated_lines }}
    where
        is_valid
        and is_duplicate
        and {{ named_since_last_build('event_id') }}
),

kept_copies as (
    select {{ copy_columns | join(', ') }}
    from {{ validated_lines }}
    where
        is_valid
        and not is_duplicate
        and event_id in (select later_copies.event_id from later_copies)
),

pairs as (
    select
        later_copies.event_id,
        later_copies.source_file,
        later_copies.line_number,
        later_copies.record_number,
        later_copies.event_name,
        kept_copies.source_file as kept_source_file,
        kept_copies.line_number as kept_line_number,
        kept_copies.record_number as kept_record_number,
        kept_copies.event_name as kept_event_name,
        -- Equal content always hashes equal, so equal hashes need no further look (two different
        -- contents share a 64-bit hash about once in 2^64 pairs). A null hash (Spark, or a line
        -- judged before the column existed) is compared column by column.
        coalesce(later_copies.content_hash = kept_copies.content_hash, false) as is_same_hash
    from later_copies
    inner join kept_copies
        on later_copies.event_id = kept_copies.event_id
),

-- Wide rows only for the pairs whose hashes differ: usually none, or a handful.
to_compare as (
    select * from pairs
    where not is_same_hash
),

differences as (
    select
        to_compare.source_file,
        to_compare.line_number,
        to_compare.record_number,
        {%- set differences = ["case when later_rows.event_name <> kept_rows.event_name then 'event' end"] %}
        {%- for property in properties %}
            {%- do differences.append(
                "case when later_rows." ~ property.column ~ " is distinct from kept_rows."
                ~ property.column ~ " then '" ~ property.key ~ "' end"
            ) %}
        {%- endfor %}
        {{ sorted_join(differences, ';') }} as differing_fields
    from to_compare
    inner join {{ validated_lines }} as later_rows
        on
            to_compare.source_file = later_rows.source_file
            and to_compare.line_number = later_rows.line_number
            and to_compare.record_number is not distinct from later_rows.record_number
    inner join {{ validated_lines }} as kept_rows
        on
            to_compare.kept_source_file = kept_rows.source_file
            and to_compare.kept_line_number = kept_rows.line_number
            and to_compare.kept_record_number is not distinct from kept_rows.record_number
),

compared as (
    select
        pairs.event_id,
        pairs.source_file,
        pairs.line_number,
        pairs.event_name,
        pairs.kept_source_file,
        pairs.kept_line_number,
        pairs.kept_event_name,
        differences.differing_fields,
        -- Which record of its line each copy is (0 on a flat line; docs/otlp.md).
        coalesce(pairs.record_number, 0) as record_number,
        coalesce(pairs.kept_record_number, 0) as kept_record_number
    from pairs
    left join differences
        on
            pairs.source_file = differences.source_file
            and pairs.line_number = differences.line_number
            and pairs.record_number is not distinct from differences.record_number
),

final as (
    select
        *,
        {{ batch_at() }} as _batch_at
    from compared
)

select * from final
