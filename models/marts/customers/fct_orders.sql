{#- Publishes int_orders: one row per accepted order on or before the as-of date, valued
    in the reporting currency. A view: the rows are int_orders' own, updated key by key. -#}
{{ config(materialized='view') }}

select
    order_id,
    customer_id,
    is_guest_order,
    ordered_at,
    order_date,
    status,
    is_completed,
    is_pending,
    is_cancelled,
    is_refunded,
    counts_toward_spend,
    has_refund,
    currency,
    order_currency_amount,
    exchange_rate_to_reporting,
    gross_amount,
    refunded_amount,
    net_amount,
    tax_amount,
    shipping_amount,
    reporting_currency,
    refreshed_at,
    -- Added in 0.2: last, so readers that take columns by position are unaffected.
    is_customer_purchase
from {{ ref('int_orders') }}
