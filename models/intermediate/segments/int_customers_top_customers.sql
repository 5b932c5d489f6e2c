{#- The Top Customers rule, decided once: each customer's rank and percentile of net
    lifetime spend within the spend population, and whether they are a Top Customer (at
    or above int_top_customer_threshold, ties all in). -#}

with

customers as (
    select * from {{ ref('int_customers_lifetime_spend') }}
),

top_customer_threshold as (
    select * from {{ ref('int_top_customer_threshold') }}
),

-- Only the spend population is ranked.
spenders_ranked as (
    select
        customer_id,
        rank() over (order by net_lifetime_spend desc) as lifetime_spend_rank,
        cume_dist() over (order by net_lifetime_spend asc) as lifetime_spend_percentile
    from customers
    where is_in_spend_population
),

final as (
    select
        customers.customer_id,
        cast(spenders_ranked.lifetime_spend_rank as bigint) as lifetime_spend_rank,
        cast(spenders_ranked.lifetime_spend_percentile as {{ type_double() }})
            as lifetime_spend_percentile,
        {{ reaches_spend_threshold(
            'customers.net_lifetime_spend', 'top_customer_threshold.threshold'
        ) }} as is_top_customer
    from customers
    cross join top_customer_threshold
    left join spenders_ranked
        on customers.customer_id = spenders_ranked.customer_id
)

select * from final
