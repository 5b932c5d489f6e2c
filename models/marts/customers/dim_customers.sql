{#- One row per customer known on the as-of date: lifetime spend and every segment the
    customer is in. -#}

with

customers as (
    select * from {{ ref('int_customers_lifetime_spend') }}
),

top_customer_threshold as (
    select * from {{ ref('int_top_customer_threshold') }}
),

clv_predictions as (
    select
        *,
        ntile(10) over (order by predicted_clv desc) as predicted_value_decile
    from {{ ref('int_customers_clv_predictions') }}
    where fit_purpose = 'prediction'
),

-- Only customers with positive spend are ranked: they are the population N.
spenders_ranked as (
    select
        customer_id,
        rank() over (order by net_lifetime_spend desc) as lifetime_spend_rank,
        cume_dist() over (order by net_lifetime_spend asc) as lifetime_spend_percentile
    from customers
    where net_lifetime_spend > 0
),

final as (
    select
        customers.customer_id,
        customers.has_customer_record,
        customers.email,
        customers.country,
        customers.created_at,
        customers.is_loyalty_member,
        customers.first_order_date,
        customers.last_order_date,
        customers.order_count,
        customers.completed_order_count,
        customers.gross_spend,
        customers.refunded_amount,
        customers.net_lifetime_spend,
        customers.average_order_value,
        customers.orders_per_year_of_tenure,
        customers.days_since_last_order,
        customers.tenure_days,
        customers.average_days_between_orders,
        cast(spenders_ranked.lifetime_spend_rank as bigint) as lifetime_spend_rank,
        cast(spenders_ranked.lifetime_spend_percentile as {{ type_double() }})
            as lifetime_spend_percentile,
        coalesce(
            customers.net_lifetime_spend > 0
            and customers.net_lifetime_spend >= top_customer_threshold.threshold,
            false
        ) as is_top_customer,
        cast(clv_predictions.probability_alive as {{ type_double() }}) as probability_alive,
        cast(clv_predictions.expected_transactions_short_window as {{ type_double() }})
            as expected_transactions_short_window,
        cast(clv_predictions.expected_transactions_long_window as {{ type_double() }})
            as expected_transactions_long_window,
        cast(clv_predictions.expected_average_order_value as decimal(18, 2))
            as expected_average_order_value,
        cast(clv_predictions.predicted_clv as decimal(18, 2)) as predicted_clv,
        cast(clv_predictions.predicted_value_decile as integer) as predicted_value_decile,
        customers.as_of_date,
        customers.reporting_currency
    from customers
    cross join top_customer_threshold
    left join spenders_ranked
        on customers.customer_id = spenders_ranked.customer_id
    left join clv_predictions
        on customers.customer_id = clv_predictions.customer_id
)

select * from final
