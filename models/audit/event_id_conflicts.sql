-- One row per valid line dropped as a later copy of an event id whose content differs from the
-- kept copy's: the same eventId sent for another event (a client reusing ids), or a resend that
-- changed something (a retry that re-stamped its time). The copy is dropped all the same, since
-- the eventId is what identifies an event (docs/input.md, "Event id conflicts"); this table and
-- the build's warning are how no such drop goes unseen. The comparison, incremental, is
-- base_workbench__event_id_conflicts, which compares every later copy; this keeps the few that
-- differ, without the build stamp.
with

conflicts as (
    select * from {{ ref('base_workbench__event_id_conflicts') }}
),

final as (
    select
        event_id,
        source_file,
        line_number,
        event_name,
        kept_source_file,
        kept_line_number,
        kept_event_name,
        differing_fields,
        record_number,
        kept_record_number
    from conflicts
    where differing_fields is not null
)

select * from final
