{#- One row per customer who has ordered on or before the as-of date: order counts, first
    and last purchase, and lifetime spend. An incremental run recomputes only the
    customers whose orders changed. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_changed_keys',
    unique_key='customer_id',
    on_schema_change='fail',
) }}

{%- set watermark = refreshed_watermark() %}
{%- set changed_customers_sql = customers_with_changed_orders_sql(
    watermark,
    ref('base_shop__orders_checked'),
    ref('fct_orders'),
    ref('stg_shop__orders'),
    ref('int_reporting_period'),
) %}
{%- do stage_changed_keys('customer_id', changed_customers_sql) %}

with

orders as (
    select * from {{ ref('fct_orders') }}
    {% if is_incremental() %}
        where customer_id in (select customer_id from {{ changed_keys_relation() }})
    {% endif %}
),

final as (
    select
        customer_id,
        cast(count(*) as bigint) as order_count,
        cast(sum(case when is_completed then 1 else 0 end) as bigint) as completed_order_count,
        min(case when is_completed then order_date end) as first_order_date,
        max(case when is_completed then order_date end) as last_order_date,
        cast(sum(gross_amount) as decimal(18, 2)) as gross_spend,
        cast(sum(refunded_amount) as decimal(18, 2)) as refunded_amount,
        cast(sum(net_amount) as decimal(18, 2)) as net_lifetime_spend,
        {{ run_refreshed_at() }} as refreshed_at
    from orders
    where not is_guest_order
    group by customer_id
)

select * from final
