-- Example audit query: which files and reason codes the quarantined lines come from.
with

quarantined as (
    select * from {{ ref('quarantined_events') }}
),

reason_codes as (
    select
        source_file,
        {{ split_to_rows('reasons', ';') }} as reason_code
    from quarantined
),

final as (
    select
        source_file,
        reason_code,
        count(*) as lines
    from reason_codes
    group by source_file, reason_code
)

select * from final
order by lines desc
