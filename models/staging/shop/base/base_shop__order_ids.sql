{#- Every order id seen in the raw orders, and whether its order was accepted: refunds
    and order lines are checked against it. -#}

with

checked_orders as (
    select * from {{ ref('base_shop__orders_checked') }}
),

final as (
    select
        order_id,
        max(case when rejection_reason is null then 1 else 0 end) = 1 as is_accepted
    from checked_orders
    where order_id is not null
    group by order_id
)

select * from final
