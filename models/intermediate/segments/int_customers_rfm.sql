{#- RFM scores 1-5 by quintile among customers with a completed order, and the named
    segment (seed `rfm_segments`). Equal values always get equal scores: a score is
    ceil(5 * c / N), c = customers whose value is no better than this one's, ties
    included, in exact integer arithmetic. Customers without a completed order have no
    scores and the segment `No purchases`. -#}

with

customers as (
    select * from {{ ref('int_customers_lifetime_spend') }}
),

segment_map as (
    select * from {{ ref('rfm_segments') }}
),

buyers as (
    select
        customer_id,
        days_since_last_order,
        completed_order_count,
        net_lifetime_spend,
        count(*) over () as buyer_count,
        -- Peers (equal values) are inside the default range frame, so ties count alike.
        count(*) over (order by days_since_last_order desc) as no_more_recent_count,
        count(*) over (order by completed_order_count asc) as no_more_frequent_count,
        count(*) over (order by net_lifetime_spend asc) as no_more_valuable_count
    from customers
    where completed_order_count > 0
),

scored as (
    select
        customer_id,
        {{ quintile_score('no_more_recent_count', 'buyer_count') }} as recency_score,
        {{ quintile_score('no_more_frequent_count', 'buyer_count') }} as frequency_score,
        {{ quintile_score('no_more_valuable_count', 'buyer_count') }} as monetary_score
    from buyers
),

with_combined as (
    select
        *,
        -- The mean of F and M, halves rounded up.
        cast(floor((frequency_score + monetary_score + 1) / 2.0) as integer)
            as frequency_monetary_score
    from scored
),

final as (
    select
        customers.customer_id,
        with_combined.recency_score,
        with_combined.frequency_score,
        with_combined.monetary_score,
        with_combined.frequency_monetary_score,
        coalesce(segment_map.rfm_segment, 'No purchases') as rfm_segment
    from customers
    left join with_combined
        on customers.customer_id = with_combined.customer_id
    left join segment_map
        on
            with_combined.recency_score
            between segment_map.recency_score_min and segment_map.recency_score_max
            and with_combined.frequency_monetary_score
            between segment_map.frequency_monetary_score_min
            and segment_map.frequency_monetary_score_max
)

select * from final
