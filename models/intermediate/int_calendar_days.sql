{#- One row per calendar day from the first day of the month of the earliest accepted
    order to the as-of date (MetricFlow's time spine publishes it). Cohort months start
    on the first of a month, so the days start there too. Small on purpose: days outside
    the data add nothing. -#}

with

orders as (
    select * from {{ ref('int_orders') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

order_bounds as (
    select min(order_date) as earliest_order_date
    from orders
),

-- No accepted order yet: the as-of month alone.
spine_bounds as (
    select
        cast(
            {{ dbt.date_trunc(
                'month', 'coalesce(order_bounds.earliest_order_date, reporting_period.as_of_date)'
            ) }} as date
        ) as first_day,
        reporting_period.as_of_date as last_day
    from reporting_period
    cross join order_bounds
),

days as (
    {{ calendar_spine(
        'day', '(select first_day from spine_bounds)', '(select last_day from spine_bounds)',
        'date_day', longest=36525
    ) }}
),

final as (
    select date_day
    from days
)

select * from final
