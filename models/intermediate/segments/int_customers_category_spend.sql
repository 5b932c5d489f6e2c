{#- Net spend per customer and product category, from the lines of completed orders in
    the reporting currency (converted at the order's rate), and each category's share of
    the customer's line spend. Lines whose product is not in the products table count as
    `unknown`; without order_items nothing is attributed. Refunds are not allocated to
    lines. Incremental: a run recomputes the customers whose orders or order lines
    changed, and everyone when the product catalogue changed. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_changed_keys',
    unique_key='customer_id',
    on_schema_change='fail',
) }}

{%- set catalogue_fingerprint -%}
    (
        select {{ dbt.hash(dbt.listagg(
            "product_id || '=' || category", "'|'", "order by product_id"
        )) }}
        from {{ ref('stg_shop__products') }}
    )
{%- endset %}
{%- set watermark = refreshed_watermark() %}
{%- set changed_customers_sql %}
    {{ customers_with_changed_orders_sql(
        watermark,
        ref('base_shop__orders_checked'),
        ref('fct_orders'),
        ref('stg_shop__orders'),
        ref('int_reporting_period'),
    ) }}
    union all
    select checked_orders.customer_id
    from {{ ref('base_shop__orders_checked') }} as checked_orders
    where checked_orders.order_id in (
        {{ keys_refreshed_since(ref('base_shop__order_items_checked'), 'order_id', watermark) }}
    )
    union all
    select customer_id from {{ this }}
    where catalogue_fingerprint is distinct from {{ catalogue_fingerprint }}
{%- endset %}
{%- do stage_changed_keys('customer_id', changed_customers_sql) %}

with

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
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
        ) as category_rank,
        {{ catalogue_fingerprint }} as catalogue_fingerprint,
        {{ run_refreshed_at() }} as refreshed_at
    from by_category
)

select * from final
