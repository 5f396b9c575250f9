-- One row per valid line dropped as a later copy of an event id whose content differs from the
-- kept copy's: the same eventId sent for another event (a client reusing ids), or a resend that
-- changed something (a retry that re-stamped its time). The copy is dropped all the same, since
-- the eventId is what identifies an event (docs/input.md, "Event id conflicts"); this table and
-- the build's warning are how no such drop goes unseen.
--
-- The content compared is the canonical form every line already has once judged: the event name
-- and each taxonomy property as typed, normalized and privacy-treated. So `Z` and `+00:00`, key
-- order, a property at the top level or inside `properties`, and keys the taxonomy does not know
-- make no difference; a null (absent) property and a present one do. The raw text is forgotten
-- by then, so nothing is parsed again, and only the few repeated ids are compared.
-- noqa: disable=LT02
-- (sqlfluff cannot place the indentation of SQL generated in Jinja loops and macros; every other
-- rule applies, and the generated shape is in target/compiled.)
{%- set properties = taxonomy_properties() %}
with

validated_lines as (
    select * from {{ ref('base_workbench__validated_lines') }}
),

later_copies as (
    select * from validated_lines
    where is_valid and is_duplicate
),

kept_copies as (
    select * from validated_lines
    where is_valid and not is_duplicate
),

compared as (
    select
        later_copies.event_id,
        later_copies.source_file,
        later_copies.line_number,
        later_copies.event_name,
        kept_copies.source_file as kept_source_file,
        kept_copies.line_number as kept_line_number,
        kept_copies.event_name as kept_event_name,
        {%- set differences = ["case when later_copies.event_name <> kept_copies.event_name then 'event' end"] %}
        {%- for property in properties %}
            {%- do differences.append(
                "case when later_copies." ~ property.column ~ " is distinct from kept_copies."
                ~ property.column ~ " then '" ~ property.key ~ "' end"
            ) %}
        {%- endfor %}
        {{ sorted_join(differences, ';') }} as differing_fields,
        -- Which record of its line each copy is (0 on a flat line; docs/otlp.md).
        coalesce(later_copies.record_number, 0) as record_number,
        coalesce(kept_copies.record_number, 0) as kept_record_number
    from later_copies
    inner join kept_copies
        on later_copies.event_id = kept_copies.event_id
),

final as (
    select * from compared
    where differing_fields is not null
)

select * from final
