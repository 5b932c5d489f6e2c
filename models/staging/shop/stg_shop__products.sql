with

checked_products as (
    select * from {{ ref('base_shop__products_checked') }}
),

final as (
    select
        product_id,
        product_name,
        category,
        _loaded_at
    from checked_products
    where rejection_reason is null
)

select * from final
