with

checked_refunds as (
    select * from {{ ref('base_shop__refunds_checked') }}
),

final as (
    select
        refund_id,
        order_id,
        refunded_at,
        cast(refunded_at as date) as refund_date,
        amount,
        _loaded_at
    from checked_refunds
    where rejection_reason is null
)

select * from final
