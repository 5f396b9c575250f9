-- One row per (UTC day, KPI, slice): the additive parts of the persona KPIs, so a BI tool can
-- compute a KPI over any date range and slice as sum(numerator) / sum(denominator). Slices are the
-- dimensions the KPI's population has: the draft's creation source and template for draft KPIs,
-- the other channel's creation source for other-channel creations, has_attachment for chat turns.
{%- set adoption_configured = workflow_creations_configured() %}

with

observations as (
    select * from {{ ref('int_kpi_observations_unioned') }}
),

kpi_targets as (
    select * from {{ ref('kpi_targets') }}
),

dated as (
    select
        {{ period_start('day', 'observed_at') }} as observed_date,
        kpi_name,
        channel,
        creation_source,
        creation_template_id,
        has_attachment,
        is_in_numerator
    from observations
),

aggregated as (
    select
        observed_date,
        kpi_name,
        channel,
        creation_source,
        creation_template_id,
        has_attachment,
        count(*) as sample_size,
        count(case when is_in_numerator then 1 end) as numerator_rows
    from dated
    group by observed_date, kpi_name, channel, creation_source, creation_template_id, has_attachment
),

final as (
    select
        {{ md5_hex(
            "concat_ws('|', cast(aggregated.observed_date as string), aggregated.kpi_name, aggregated.channel, "
            ~ "coalesce(aggregated.creation_source, '<null>'), "
            ~ "coalesce(aggregated.creation_template_id, '<null>'), "
            ~ "coalesce(cast(aggregated.has_attachment as string), '<null>'))"
        ) }} as component_id,
        aggregated.observed_date,
        aggregated.kpi_name,
        kpi_targets.persona,
        aggregated.channel,
        aggregated.creation_source,
        aggregated.creation_template_id,
        aggregated.has_attachment,
        -- A median is not additive: time_to_create_workflow has no numerator or denominator here
        -- (compute it from marts.fct_drafts, see docs/kpis.md), only its sample size.
        case
            when aggregated.kpi_name <> 'time_to_create_workflow' then aggregated.numerator_rows
        end as numerator,
        case
            when aggregated.kpi_name = 'time_to_create_workflow' then cast(null as bigint)
            {%- if not adoption_configured %}
            -- workflow_creations_glob is '': the other channels are unknown (docs/specification.md,
            -- 'KPI definitions').
            when aggregated.kpi_name = 'workbench_adoption' then cast(null as bigint)
            {%- endif %}
            else aggregated.sample_size
        end as denominator,
        aggregated.sample_size
    from aggregated
    left join kpi_targets
        on aggregated.kpi_name = kpi_targets.kpi_name
)

select * from final
