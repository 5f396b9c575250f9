-- One row per (KPI, input event, property that matters to it), from seed kpi_input_properties,
-- so readers of the serving file can join exposure to the events and properties behind it.
with

kpi_input_properties as (
    select * from {{ ref('kpi_input_properties') }}
),

event_taxonomy as (
    select * from {{ ref('event_taxonomy') }}
),

final as (
    select
        kpi_input_properties.kpi_name,
        kpi_input_properties.event_name,
        kpi_input_properties.property_key,
        cast(event_taxonomy.is_required as boolean) as is_required,
        kpi_input_properties.why
    from kpi_input_properties
    inner join event_taxonomy
        on
            kpi_input_properties.event_name = event_taxonomy.event_name
            and kpi_input_properties.property_key = event_taxonomy.property_key
)

select * from final
