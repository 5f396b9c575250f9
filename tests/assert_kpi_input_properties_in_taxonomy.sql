-- Every (event, property) a KPI names as its input is one of the taxonomy's: a renamed property
-- would otherwise silently stop counting against the KPI in marts.health_kpi_exposure.
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
        kpi_input_properties.property_key
    from kpi_input_properties
    left join event_taxonomy
        on
            kpi_input_properties.event_name = event_taxonomy.event_name
            and kpi_input_properties.property_key = event_taxonomy.property_key
    where event_taxonomy.event_name is null
)

select * from final
