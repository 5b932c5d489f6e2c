-- How do Top Customers differ from everyone else? Each metric next to its index against
-- All customers (100 = the same, 300 = three times as much).
with

comparison as (
    select * from {{ ref('fct_segment_comparison') }}
),

final as (
    select
        segment_name,
        customer_count,
        share_of_customers,
        share_of_revenue,
        average_net_lifetime_spend,
        average_net_lifetime_spend_index,
        average_order_value,
        average_order_value_index,
        orders_per_customer,
        orders_per_customer_index,
        median_days_since_last_order,
        median_days_since_last_order_index,
        repeat_purchase_rate,
        repeat_purchase_rate_index
    from comparison
    where segment_family in ('all', 'top_customers')
)

select * from final
order by customer_count asc
