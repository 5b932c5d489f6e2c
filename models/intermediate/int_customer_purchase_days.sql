{#- One row per customer and day they made a purchase (a completed, non-guest order):
    the unit lifecycle rhythms and the CLV models count, since several orders on one day
    are one purchase occasion. -#}

with

orders as (
    select * from {{ ref('int_orders') }}
),

final as (
    select
        customer_id,
        order_date as purchase_date,
        cast(count(*) as bigint) as purchase_count,
        cast(sum(net_amount) as decimal(18, 2)) as purchase_value
    from orders
    where is_customer_purchase
    group by customer_id, order_date
)

select * from final
