{#- Net spend per customer and product category, from the lines of completed orders in
    the reporting currency (converted at the order's rate), and each category's share of
    the customer's line spend. Lines whose product is not in the products table count as
    `unknown`; without order_items nothing is attributed. Refunds are not allocated to
    lines. Incremental: a run recomputes the customers whose orders or order lines
    changed, and everyone when the product catalogue changed. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='changed_keys',
    unique_key='customer_id',
    change_inputs=[
        {'refreshed_in': 'base_shop__orders_checked', 'key': 'customer_id'},
        {'refreshed_in': 'int_orders', 'key': 'customer_id'},
        {'rule': 'customers_with_orders_after_the_as_of_date'},
        {
            'refreshed_in': 'base_shop__order_items_checked',
            'key': 'order_id',
            'through': 'base_shop__orders_checked',
        },
        {'rule': 'customers_priced_with_another_catalogue'},
    ],
    on_schema_change='fail',
) }}

-- depends_on: {{ ref('base_shop__orders_checked') }}
-- depends_on: {{ ref('base_shop__order_items_checked') }}
-- depends_on: {{ ref('stg_shop__orders') }}
-- depends_on: {{ ref('int_reporting_period') }}

with

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

orders as (
    select * from {{ ref('int_orders') }}
    {% if is_incremental() %}
        where customer_id in (select customer_id from {{ changed_keys_relation() }})
    {% endif %}
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
    where orders.is_customer_purchase
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
        {{ ratio('category_spend', 'sum(category_spend) over (partition by customer_id)') }}
            as category_share,
        row_number() over (
            partition by customer_id order by category_spend desc, category asc
        ) as category_rank,
        {{ product_catalogue_fingerprint() }} as catalogue_fingerprint,
        {{ run_refreshed_at() }} as refreshed_at
    from by_category
)

select * from final
