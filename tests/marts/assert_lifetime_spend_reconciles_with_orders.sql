{#- Customers' net lifetime spend plus the guest total equals the orders' net revenue, to
    the cent. Returns a row when it does not. -#}

with

customer_spend as (
    select coalesce(sum(net_lifetime_spend), 0) as customer_net_revenue
    from {{ ref('dim_customers') }}
),

order_revenue as (
    select
        coalesce(sum(net_amount), 0) as net_revenue,
        coalesce(sum(case when is_guest_order then net_amount else 0 end), 0)
            as guest_net_revenue
    from {{ ref('fct_orders') }}
),

published_guest_total as (
    select guest_net_revenue
    from {{ ref('fct_revenue_summary') }}
),

final as (
    select
        customer_spend.customer_net_revenue,
        order_revenue.guest_net_revenue,
        published_guest_total.guest_net_revenue as published_guest_net_revenue,
        order_revenue.net_revenue
    from customer_spend
    cross join order_revenue
    cross join published_guest_total
    where
        customer_spend.customer_net_revenue + published_guest_total.guest_net_revenue
        <> order_revenue.net_revenue
        or published_guest_total.guest_net_revenue <> order_revenue.guest_net_revenue
)

select * from final
