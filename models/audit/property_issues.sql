-- One row per optional property that a kept event carried with a wrong type, a value outside
-- its enumeration, or a blank value, and that was therefore nulled.
with

kept_lines as (
    select * from {{ ref('stg_workbench__validated_lines') }}
    where is_valid and not is_duplicate and property_issues is not null
),

issues as (
    select
        event_id,
        event_name,
        source_file,
        line_number,
        unnest(string_split(property_issues, ';')) as property_issue
    from kept_lines
),

final as (
    select
        event_id,
        event_name,
        split_part(property_issue, ':', 1) as property_key,
        split_part(property_issue, ':', 2) as issue,
        source_file,
        line_number
    from issues
)

select * from final
