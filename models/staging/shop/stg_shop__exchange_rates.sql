with

checked_rates as (
    select * from {{ ref('base_shop__exchange_rates_checked') }}
),

final as (
    select
        currency,
        rate_date,
        rate_to_reporting,
        _loaded_at
    from checked_rates
    where rejection_reason is null
)

select * from final
