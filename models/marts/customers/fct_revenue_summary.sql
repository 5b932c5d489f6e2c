{#- One row: net revenue as of the as-of date, split into customers and guest checkouts,
    so customer lifetime spend can be reconciled with the orders to the cent. -#}

with

orders as (
    select * from {{ ref('int_orders') }}
),

customers as (
    select * from {{ ref('int_customer_profiles') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

order_totals as (
    select
        sum(case when is_completed then 1 else 0 end) as completed_order_count,
        sum(gross_amount) as gross_revenue,
        sum(refunded_amount) as refunded_amount,
        sum(net_amount) as net_revenue,
        sum(case when is_guest_order and is_completed then 1 else 0 end)
            as guest_completed_order_count,
        sum(case when is_guest_order then net_amount else 0 end) as guest_net_revenue
    from orders
),

customer_totals as (
    select
        count(*) as customer_count,
        sum(case when completed_order_count > 0 then 1 else 0 end) as purchasing_customer_count,
        sum(net_lifetime_spend) as customer_net_revenue
    from customers
),

final as (
    select
        reporting_period.as_of_date,
        reporting_period.reporting_currency,
        cast(customer_totals.customer_count as bigint) as customer_count,
        cast(coalesce(customer_totals.purchasing_customer_count, 0) as bigint)
            as purchasing_customer_count,
        cast(coalesce(order_totals.completed_order_count, 0) as bigint) as completed_order_count,
        cast(coalesce(order_totals.gross_revenue, 0) as decimal(18, 2)) as gross_revenue,
        cast(coalesce(order_totals.refunded_amount, 0) as decimal(18, 2)) as refunded_amount,
        cast(coalesce(order_totals.net_revenue, 0) as decimal(18, 2)) as net_revenue,
        cast(coalesce(customer_totals.customer_net_revenue, 0) as decimal(18, 2))
            as customer_net_revenue,
        cast(coalesce(order_totals.guest_completed_order_count, 0) as bigint)
            as guest_completed_order_count,
        cast(coalesce(order_totals.guest_net_revenue, 0) as decimal(18, 2)) as guest_net_revenue
    from reporting_period
    cross join order_totals
    cross join customer_totals
)

select * from final
