-- One row per optional property that a kept event carried with a wrong type, a value outside
-- its enumeration, or a blank value, and that was therefore nulled.
with

line_properties as (
    select * from {{ ref('stg_workbench__line_properties') }}
),

kept_lines as (
    select * from {{ ref('stg_workbench__validated_lines') }}
    where is_valid and not is_duplicate
),

final as (
    select
        kept_lines.event_id,
        kept_lines.event_name,
        line_properties.property_key,
        line_properties.issue,
        kept_lines.source_file,
        kept_lines.line_number
    from line_properties
    inner join kept_lines
        on
            line_properties.source_file = kept_lines.source_file
            and line_properties.line_number = kept_lines.line_number
    where line_properties.issue is not null
)

select * from final
