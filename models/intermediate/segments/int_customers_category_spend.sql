{#- Net spend per customer and product category, from the lines of completed orders in
    the reporting currency (converted at the order's rate), and each category's share of
    the customer's line spend. Lines whose product is not in the products table count as
    `unknown`; without order_items nothing is attributed. Refunds are not allocated to
    lines. -#}

with

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

lines as (
    select
        orders.customer_id,
        coalesce(products.category, 'unknown') as category,
        order_items.line_amount * orders.exchange_rate_to_reporting as line_spend
    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join products
        on order_items.product_id = products.product_id
    where orders.is_completed and not orders.is_guest_order
),

by_category as (
    select
        customer_id,
        category,
        sum(line_spend) as category_spend
    from lines
    group by customer_id, category
),

final as (
    select
        customer_id,
        category,
        cast(category_spend as decimal(18, 2)) as category_spend,
        cast(
            category_spend / nullif(sum(category_spend) over (partition by customer_id), 0)
            as {{ type_double() }}
        ) as category_share,
        row_number() over (
            partition by customer_id order by category_spend desc, category asc
        ) as category_rank
    from by_category
)

select * from final
