{#- Long format: one row per customer and segment family, naming the segment the customer
    is in. Each family partitions the customers (every customer in exactly one of its
    segments), so per-family shares add up to 1. A new segment family is a new union
    branch here; the comparison report and history pick it up without changes. -#}

with

customers as (
    select * from {{ ref('dim_customers') }}
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

final as (
    select * from all_customers
    union all
    select * from top_customers
)

select * from final
