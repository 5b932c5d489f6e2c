{#- One row per accepted order placed on or before the as-of date, valued in the
    reporting currency, with the refunds made up to that date: the order valuation every
    spend figure is built from (fct_orders publishes it). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='changed_keys',
    unique_key='order_id',
    change_inputs=[
        {'refreshed_in': 'base_shop__orders_checked'},
        {'refreshed_in': 'base_shop__refunds_checked'},
        {'rule': 'orders_the_as_of_date_moved_past'},
    ],
    on_schema_change='fail',
) }}

-- depends_on: {{ ref('base_shop__orders_checked') }}
-- depends_on: {{ ref('base_shop__refunds_checked') }}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
    {% if is_incremental() %}
        where order_id in (select order_id from {{ changed_keys_relation() }})
    {% endif %}
),

refunds as (
    select * from {{ ref('stg_shop__refunds') }}
    {% if is_incremental() %}
        where order_id in (select order_id from {{ changed_keys_relation() }})
    {% endif %}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

refunds_by_order as (
    select
        refunds.order_id,
        count(*) as refund_count,
        sum(refunds.amount) as refunded_in_order_currency
    from refunds
    cross join reporting_period
    where refunds.refund_date <= reporting_period.as_of_date
    group by refunds.order_id
),

orders_as_of as (
    select
        orders.*,
        reporting_period.as_of_date,
        reporting_period.reporting_currency,
        reporting_period.includes_tax_and_shipping,
        orders.status in ('completed', 'refunded') as counts_toward_spend,
        coalesce(refunds_by_order.refund_count, 0) as refund_count,
        coalesce(refunds_by_order.refunded_in_order_currency, 0)
            as refunded_in_order_currency
    from orders
    cross join reporting_period
    left join refunds_by_order
        on orders.order_id = refunds_by_order.order_id
    where orders.order_date <= reporting_period.as_of_date
),

spend_in_order_currency as (
    select
        *,
        case
            when not counts_toward_spend then 0
            when includes_tax_and_shipping then amount + tax + shipping
            else amount
        end as spend_amount_in_order_currency
    from orders_as_of
),

converted as (
    select
        *,
        cast(spend_amount_in_order_currency * exchange_rate_to_reporting as decimal(18, 2))
            as gross_amount,
        cast(refunded_in_order_currency * exchange_rate_to_reporting as decimal(18, 2))
            as refunds_in_reporting_currency
    from spend_in_order_currency
),

-- A refund is converted at its order's rate, and can never take an order below zero.
refund_valued as (
    select
        *,
        case
            when status = 'refunded' then gross_amount
            when not counts_toward_spend then 0
            when refunds_in_reporting_currency > gross_amount then gross_amount
            else refunds_in_reporting_currency
        end as refunded_amount
    from converted
),

final as (
    select
        order_id,
        customer_id,
        is_guest_order,
        ordered_at,
        order_date,
        status,
        status = 'completed' as is_completed,
        status = 'pending' as is_pending,
        status = 'cancelled' as is_cancelled,
        status = 'refunded' as is_refunded,
        -- A purchase: what frequency, recency, rhythm and CLV count.
        status = 'completed' and not is_guest_order as is_customer_purchase,
        counts_toward_spend,
        refund_count > 0 as has_refund,
        currency,
        amount as order_currency_amount,
        exchange_rate_to_reporting,
        cast(gross_amount as decimal(18, 2)) as gross_amount,
        cast(refunded_amount as decimal(18, 2)) as refunded_amount,
        cast(gross_amount - refunded_amount as decimal(18, 2)) as net_amount,
        cast(tax * exchange_rate_to_reporting as decimal(18, 2)) as tax_amount,
        cast(shipping * exchange_rate_to_reporting as decimal(18, 2)) as shipping_amount,
        reporting_currency,
        {{ run_refreshed_at() }} as refreshed_at
    from refund_valued
)

select * from final
