with

checked_orders as (
    select * from {{ ref('base_shop__orders_checked') }}
),

final as (
    select
        order_id,
        customer_id,
        customer_id is null as is_guest_order,
        ordered_at,
        cast(ordered_at as date) as order_date,
        status,
        currency,
        amount,
        tax,
        shipping,
        exchange_rate_to_reporting,
        updated_at,
        _loaded_at
    from checked_orders
    where rejection_reason is null
)

select * from final
