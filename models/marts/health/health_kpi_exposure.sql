-- One row per (period grain, period, KPI) in which the KPI's input events had lines: how many of
-- them were lost to the KPI (quarantined, or kept with an issue on a property that matters to
-- it, seed kpi_input_properties), as a share of its input, and whether that share is small
-- enough to trust the KPI's value in marts.kpi_scorecard for the period. Periods as in the
-- scorecard (UTC day, ISO week from Monday, month), dated by the lines' day.
{%- set max_lost_share = var('health_max_kpi_lost_share') %}
{%- if not modules.re.fullmatch('0|1|0?[.][0-9]+|1[.]0+', max_lost_share | string | trim) %}
    {{ exceptions.raise_compiler_error(
        "health_max_kpi_lost_share = <" ~ max_lost_share ~ "> is not a share between 0 and 1. "
        ~ "Pass one, e.g. --vars '{health_max_kpi_lost_share: 0.02}' (dbt_project.yml sets the default)."
    ) }}
{%- endif %}
with

lines_grouped as (
    select * from {{ ref('int_health_lines_grouped') }}
),

kpi_input_properties as (
    select * from {{ ref('kpi_input_properties') }}
),

kpi_events as (
    select distinct
        kpi_name,
        event_name
    from kpi_input_properties
),

-- Duplicates are copies of an input the KPI has, so they are neither input nor lost.
input_lines as (
    select
        row_number() over (
            order by
                event_name,
                event_date,
                outcome,
                reasons,
                property_issues,
                unplanned_keys,
                property_states,
                privacy_findings
        ) as group_id,
        event_name,
        event_date,
        outcome,
        property_issues,
        lines
    from lines_grouped
    where is_planned_event and outcome in ('kept', 'quarantined')
),

issue_keys as (
    select
        group_id,
        event_name,
        split_part(issue, ':', 1) as property_key
    from (
        select
            group_id,
            event_name,
            {{ split_to_rows('property_issues', ';') }} as issue
        from input_lines
        where outcome = 'kept' and property_issues is not null
    ) as issues
),

-- A kept line with two issues that matter to a KPI is lost to it once.
lost_to_kpi as (
    select distinct
        issue_keys.group_id,
        kpi_input_properties.kpi_name
    from issue_keys
    inner join kpi_input_properties
        on
            issue_keys.event_name = kpi_input_properties.event_name
            and issue_keys.property_key = kpi_input_properties.property_key
),

kpi_lines as (
    select
        kpi_events.kpi_name,
        input_lines.event_date,
        input_lines.lines,
        case when input_lines.outcome = 'quarantined' then input_lines.lines else 0 end as lines_quarantined,
        case when lost_to_kpi.group_id is not null then input_lines.lines else 0 end as lines_with_property_issue
    from input_lines
    inner join kpi_events
        on input_lines.event_name = kpi_events.event_name
    left join lost_to_kpi
        on
            input_lines.group_id = lost_to_kpi.group_id
            and kpi_events.kpi_name = lost_to_kpi.kpi_name
),

-- Every line once per grain: each period is aggregated from its own lines, as in the scorecard.
periodized as (
    select
        'day' as period_grain,
        {{ period_start('day', 'cast(event_date as timestamp)') }} as period_start,
        kpi_name,
        lines,
        lines_quarantined,
        lines_with_property_issue
    from kpi_lines
    union all
    select
        'week' as period_grain,
        {{ period_start('week', 'cast(event_date as timestamp)') }} as period_start,
        kpi_name,
        lines,
        lines_quarantined,
        lines_with_property_issue
    from kpi_lines
    union all
    select
        'month' as period_grain,
        {{ period_start('month', 'cast(event_date as timestamp)') }} as period_start,
        kpi_name,
        lines,
        lines_quarantined,
        lines_with_property_issue
    from kpi_lines
),

counted as (
    select
        period_grain,
        period_start,
        kpi_name,
        cast(sum(lines) as bigint) as input_lines,
        cast(sum(lines_quarantined) as bigint) as lines_quarantined,
        cast(sum(lines_with_property_issue) as bigint) as lines_with_property_issue
    from periodized
    group by period_grain, period_start, kpi_name
),

final as (
    select
        period_grain,
        period_start,
        kpi_name,
        input_lines,
        lines_quarantined,
        lines_with_property_issue,
        lines_quarantined + lines_with_property_issue as lines_lost,
        cast(lines_quarantined + lines_with_property_issue as double) / input_lines as lost_share,
        cast({{ max_lost_share | string | trim }} as double) as max_lost_share,
        cast(lines_quarantined + lines_with_property_issue as double) / input_lines
        <= {{ max_lost_share | string | trim }} as is_trustworthy
    from counted
)

select * from final
