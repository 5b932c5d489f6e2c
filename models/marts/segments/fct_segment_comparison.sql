{#- Publishes int_segment_comparison: one row per segment of every family, with its
    metrics and their index against all customers. -#}

select
    segment_family,
    segment_name,
    customer_count,
    share_of_customers,
    net_revenue,
    share_of_revenue,
    average_net_lifetime_spend,
    average_order_value,
    orders_per_customer,
    median_days_since_last_order,
    repeat_purchase_rate,
    average_tenure_days,
    average_net_lifetime_spend_index,
    average_order_value_index,
    orders_per_customer_index,
    median_days_since_last_order_index,
    repeat_purchase_rate_index,
    average_tenure_days_index,
    nps_respondent_count,
    net_promoter_score,
    as_of_date
from {{ ref('int_segment_comparison') }}
