with

checked_customers as (
    select * from {{ ref('base_shop__customers_checked') }}
),

final as (
    select
        customer_id,
        email,
        created_at,
        country,
        is_loyalty_member,
        _loaded_at
    from checked_customers
    where rejection_reason is null
)

select * from final
