{#- Rising Stars: not Top Customers, first purchase within `rising_star_max_tenure_days`,
    and net spend over the trailing `rising_star_window_days` at or above the threshold
    of the top `rising_star_fraction` of trailing-window spend (the Top Customers rule:
    a real customer's spend, ties all in, among customers with positive trailing spend). -#}

with

customers as (
    select * from {{ ref('int_customers_lifetime_spend') }}
),

orders as (
    select * from {{ ref('int_orders') }}
),

top_customers as (
    select * from {{ ref('int_customers_top_customers') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

trailing_spend as (
    select
        orders.customer_id,
        sum(orders.net_amount) as trailing_net_spend
    from orders
    cross join reporting_period
    where
        orders.is_customer_purchase
        and orders.order_date > {{ dbt.dateadd(
            'day', -1 * (project_var('rising_star_window_days') | int), 'reporting_period.as_of_date'
        ) }}
    group by orders.customer_id
),

trailing_threshold as (
    select
        {{ percentile(
            'trailing_net_spend', project_var('rising_star_fraction'), 'discrete', descending=true
        ) }} as threshold
    from trailing_spend
    where trailing_net_spend > 0
),

final as (
    select
        customers.customer_id,
        cast(coalesce(trailing_spend.trailing_net_spend, 0) as decimal(18, 2))
            as trailing_net_spend,
        coalesce(
            not top_customers.is_top_customer
            and customers.tenure_days <= {{ project_var('rising_star_max_tenure_days') }}
            and trailing_spend.trailing_net_spend > 0
            and trailing_spend.trailing_net_spend >= trailing_threshold.threshold,
            false
        ) as is_rising_star
    from customers
    inner join top_customers
        on customers.customer_id = top_customers.customer_id
    cross join trailing_threshold
    left join trailing_spend
        on customers.customer_id = trailing_spend.customer_id
)

select * from final
