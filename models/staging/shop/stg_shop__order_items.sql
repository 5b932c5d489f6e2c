with

checked_order_items as (
    select * from {{ ref('base_shop__order_items_checked') }}
),

final as (
    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price,
        cast(quantity * unit_price as decimal(18, 2)) as line_amount,
        _loaded_at
    from checked_order_items
    where rejection_reason is null
)

select * from final
