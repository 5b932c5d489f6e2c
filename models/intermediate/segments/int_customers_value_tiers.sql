{#- Each customer's value tier (seed `value_tiers`: A best). A tier's threshold is the net
    lifetime spend of the customer ranked ceil(cumulative_fraction * N) from the top, N
    = customers with positive spend, with the Top Customers rule: a real customer's
    spend, ties all in. A customer is in the best tier whose threshold they reach; the
    last tier takes everyone else, zero spenders included. -#}

with

customers as (
    select * from {{ ref('int_customers_lifetime_spend') }}
),

tiers as (
    select * from {{ ref('value_tiers') }}
),

spenders as (
    select net_lifetime_spend
    from customers
    where is_in_spend_population
),

tier_thresholds as (
    select
        tiers.value_tier,
        tiers.cumulative_fraction,
        {{ percentile(
            'spenders.net_lifetime_spend', 'tiers.cumulative_fraction', 'discrete',
            descending=true
        ) }} as threshold
    from tiers
    cross join spenders
    group by tiers.value_tier, tiers.cumulative_fraction
),

matched as (
    select
        customers.customer_id,
        tier_thresholds.value_tier,
        row_number() over (
            partition by customers.customer_id
            order by tier_thresholds.cumulative_fraction asc
        ) as tier_rank
    from customers
    inner join tier_thresholds
        on {{ reaches_spend_threshold(
            'customers.net_lifetime_spend', 'tier_thresholds.threshold'
        ) }}
),

lowest_tier as (
    select value_tier
    from tiers
    order by cumulative_fraction desc
    limit 1
),

final as (
    select
        customers.customer_id,
        coalesce(matched.value_tier, lowest_tier.value_tier) as value_tier
    from customers
    cross join lowest_tier
    left join matched
        on
            customers.customer_id = matched.customer_id
            and matched.tier_rank = 1
)

select * from final
