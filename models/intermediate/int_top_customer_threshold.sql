{#- One row: the Top Customers threshold. N is the number of customers with positive net
    lifetime spend; the threshold is the spend of the customer ranked ceil(fraction * N)
    from the top (a real customer's spend, never an interpolation). -#}

with

customers as (
    select * from {{ ref('int_customers_lifetime_spend') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

spenders as (
    select net_lifetime_spend
    from customers
    where is_in_spend_population
),

threshold as (
    select
        count(*) as population,
        {{ percentile('net_lifetime_spend', top_customer_fraction(), 'discrete', descending=true) }}
            as threshold
    from spenders
),

final as (
    select
        reporting_period.as_of_date,
        cast({{ top_customer_fraction() }} as decimal(9, 6)) as top_customer_fraction,
        cast(threshold.population as bigint) as population,
        {{ percentile_position(
            'cast(' ~ top_customer_fraction() ~ ' as decimal(18, 9))', 'threshold.population'
        ) }} as threshold_rank,
        cast(threshold.threshold as decimal(18, 2)) as threshold
    from reporting_period
    cross join threshold
)

select * from final
