{#- Segment history is written forward only: the run's as-of date may not be earlier
    than the newest one already recorded. It runs straight after int_reporting_period, so
    in `dbt build` a failure stops every model after it: nothing changes. -#}
{%- set history = segment_history_relation() %}

with

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

{% if history is not none %}
    recorded as (
        select max(dbt_updated_at) as newest_recorded_as_of_at
        from {{ history }}
    ),
{% else %}
    recorded as (
        select cast(null as {{ dbt.type_timestamp() }}) as newest_recorded_as_of_at
    ),
{% endif %}

final as (
    select
        reporting_period.as_of_at as requested_as_of_at,
        recorded.newest_recorded_as_of_at
    from reporting_period
    cross join recorded
    where reporting_period.as_of_at < recorded.newest_recorded_as_of_at
)

select * from final
