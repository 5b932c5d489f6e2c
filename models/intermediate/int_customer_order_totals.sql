{#- One row per customer who has ordered on or before the as-of date: order counts, first
    and last purchase, and lifetime spend. An incremental run recomputes only the
    customers whose orders changed. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='changed_keys',
    unique_key='customer_id',
    change_inputs=[
        {'refreshed_in': 'base_shop__orders_checked', 'key': 'customer_id'},
        {'refreshed_in': 'int_orders', 'key': 'customer_id'},
        {'rule': 'customers_with_orders_after_the_as_of_date'},
    ],
    on_schema_change='fail',
) }}

-- depends_on: {{ ref('base_shop__orders_checked') }}
-- depends_on: {{ ref('stg_shop__orders') }}
-- depends_on: {{ ref('int_reporting_period') }}

with

orders as (
    select * from {{ ref('int_orders') }}
    {% if is_incremental() %}
        where customer_id in (select customer_id from {{ changed_keys_relation() }})
    {% endif %}
),

final as (
    select
        customer_id,
        cast(count(*) as bigint) as order_count,
        cast(sum(case when is_customer_purchase then 1 else 0 end) as bigint)
            as completed_order_count,
        min(case when is_customer_purchase then order_date end) as first_order_date,
        max(case when is_customer_purchase then order_date end) as last_order_date,
        cast(sum(gross_amount) as decimal(18, 2)) as gross_spend,
        cast(sum(refunded_amount) as decimal(18, 2)) as refunded_amount,
        cast(sum(net_amount) as decimal(18, 2)) as net_lifetime_spend,
        {{ run_refreshed_at() }} as refreshed_at
    from orders
    where not is_guest_order
    group by customer_id
)

select * from final
