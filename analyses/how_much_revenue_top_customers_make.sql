-- How much of revenue do Top Customers make, and where is the threshold? One row per
-- as-of date built, newest first.
with

thresholds as (
    select * from {{ ref('fct_top_customer_threshold') }}
),

final as (
    select
        as_of_date,
        threshold,
        member_count,
        population,
        member_share,
        member_net_revenue,
        member_net_revenue_share
    from thresholds
)

select * from final
order by as_of_date desc
