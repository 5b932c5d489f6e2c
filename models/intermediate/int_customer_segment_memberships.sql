{#- Long format: one row per customer and segment family, naming the segment the customer
    is in on the as-of date. Each family partitions the customers (every customer in
    exactly one of its segments), so per-family shares add up to 1. A new segment family
    is a new union branch here: the comparison report, the history snapshot and its
    events pick it up without changes. -#}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

top_customer_threshold as (
    select * from {{ ref('int_top_customer_threshold') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

all_customers as (
    select
        customer_id,
        'all' as segment_family,
        'All customers' as segment_name
    from customers
),

top_customers as (
    select
        customer_id,
        'top_customers' as segment_family,
        case when is_top_customer then 'Top Customers' else 'Other customers' end
            as segment_name
    from customers
),

memberships as (
    select * from all_customers
    union all
    select * from top_customers
),

final as (
    select
        memberships.customer_id,
        memberships.segment_family,
        memberships.segment_name,
        customers.net_lifetime_spend,
        top_customer_threshold.threshold as top_customer_threshold,
        reporting_period.as_of_at
    from memberships
    inner join customers
        on memberships.customer_id = customers.customer_id
    cross join top_customer_threshold
    cross join reporting_period
)

select * from final
