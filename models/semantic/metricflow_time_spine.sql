-- One row per UTC day from 2000-01-01 (the earliest event time docs/specification.md, 'Bad input
-- and reason codes' accepts) up to 2049-12-31: MetricFlow's time spine. MetricFlow joins to it for
-- conversion windows and time-spine-filled metrics, so it must cover every day an event can be
-- dated by.
with

days as (
    {{ dbt.date_spine(
        'day',
        "cast('2000-01-01' as date)",
        "cast('2050-01-01' as date)"
    ) }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
