-- One row per (kept event, property) that a privacy rule acted on: a forbidden key that was
-- dropped, an e-mail identifier that was hashed, an e-mail inside text that was redacted. Never
-- the value itself.
with

kept_lines as (
    select * from {{ ref('stg_workbench__validated_lines') }}
    where is_valid and not is_duplicate and privacy_findings is not null
),

findings as (
    select
        event_id,
        event_name,
        source_file,
        line_number,
        unnest(string_split(privacy_findings, ';')) as privacy_finding
    from kept_lines
),

final as (
    select
        event_id,
        event_name,
        split_part(privacy_finding, ':', 1) as property_key,
        split_part(privacy_finding, ':', 2) as finding,
        source_file,
        line_number
    from findings
)

select * from final
