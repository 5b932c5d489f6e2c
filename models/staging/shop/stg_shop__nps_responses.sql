with

checked_responses as (
    select * from {{ ref('base_shop__nps_responses_checked') }}
),

final as (
    select
        response_id,
        customer_id,
        responded_at,
        cast(responded_at as date) as response_date,
        cast(score as integer) as score,
        response_comment,
        _loaded_at
    from checked_responses
    where rejection_reason is null
)

select * from final
