{#- One row per customer known on the as-of date: lifetime spend, the Top Customers
    decision and every segment the customer is in, by name in `segment_<family>`
    (macros/segments/segment_families.sql; dim_customers publishes them, the segment
    memberships unpivot them). -#}

with

customers as (
    select * from {{ ref('int_customers_lifetime_spend') }}
),

top_customers as (
    select * from {{ ref('int_customers_top_customers') }}
),

value_tiers as (
    select * from {{ ref('int_customers_value_tiers') }}
),

rfm as (
    select * from {{ ref('int_customers_rfm') }}
),

lifecycle as (
    select * from {{ ref('int_customers_lifecycle') }}
),

rising_stars as (
    select * from {{ ref('int_customers_rising_stars') }}
),

nps as (
    select * from {{ ref('int_customers_nps') }}
),

primary_categories as (
    select * from {{ ref('int_customers_category_spend') }}
    where category_rank = 1
),

clv_predictions as (
    select
        *,
        case
            when predicted_clv is not null
                then ntile(10) over (
                        partition by predicted_clv is null
                        order by predicted_clv desc, customer_id asc
                    )
        end as predicted_value_decile
    from {{ ref('int_customers_clv_predictions') }}
    where fit_purpose = 'prediction'
),

profiles as (
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
        customers.completed_order_count >= 1 as is_purchasing_customer,
        customers.completed_order_count >= 2 as is_repeat_customer,
        customers.gross_spend,
        customers.refunded_amount,
        customers.net_lifetime_spend,
        customers.average_order_value,
        customers.orders_per_year_of_tenure,
        customers.days_since_last_order,
        customers.tenure_days,
        customers.average_days_between_orders,
        top_customers.lifetime_spend_rank,
        top_customers.lifetime_spend_percentile,
        top_customers.is_top_customer,
        value_tiers.value_tier,
        rfm.recency_score as rfm_recency_score,
        rfm.frequency_score as rfm_frequency_score,
        rfm.monetary_score as rfm_monetary_score,
        rfm.rfm_segment,
        lifecycle.lifecycle_stage,
        rising_stars.trailing_net_spend,
        rising_stars.is_rising_star,
        top_customers.is_top_customer
        and coalesce(lifecycle.lifecycle_stage in ('At Risk', 'Churned'), false)
            as is_top_customer_at_risk,
        cast({{ dbt.date_trunc('month', 'customers.first_order_date') }} as date)
            as acquisition_cohort_month,
        cast(extract(year from customers.first_order_date) as {{ dbt.type_string() }})
        || '-Q'
        || cast(extract(quarter from customers.first_order_date) as {{ dbt.type_string() }})
            as acquisition_cohort_quarter,
        cast(extract(year from customers.first_order_date) as {{ dbt.type_string() }})
            as acquisition_cohort_year,
        coalesce(primary_categories.category, 'unknown') as primary_category,
        primary_categories.category_share as primary_category_share,
        nps.nps_score,
        nps.nps_responded_at,
        coalesce(nps.nps_category, 'No response') as nps_category,
        cast(clv_predictions.probability_alive as {{ type_double() }}) as probability_alive,
        cast(clv_predictions.expected_transactions_short_window as {{ type_double() }})
            as expected_transactions_short_window,
        cast(clv_predictions.expected_transactions_long_window as {{ type_double() }})
            as expected_transactions_long_window,
        {{ double_to_cents('clv_predictions.expected_average_order_value') }}
            as expected_average_order_value,
        {{ double_to_cents('clv_predictions.predicted_clv') }} as predicted_clv,
        cast(clv_predictions.predicted_value_decile as integer) as predicted_value_decile,
        cast(coalesce(clv_predictions.clv_status, 'no_completed_order') as {{ dbt.type_string() }})
            as clv_status,
        customers.as_of_date,
        customers.reporting_currency
    from customers
    inner join top_customers
        on customers.customer_id = top_customers.customer_id
    left join value_tiers
        on customers.customer_id = value_tiers.customer_id
    left join rfm
        on customers.customer_id = rfm.customer_id
    left join lifecycle
        on customers.customer_id = lifecycle.customer_id
    left join rising_stars
        on customers.customer_id = rising_stars.customer_id
    left join primary_categories
        on customers.customer_id = primary_categories.customer_id
    left join nps
        on customers.customer_id = nps.customer_id
    left join clv_predictions
        on customers.customer_id = clv_predictions.customer_id
),

final as (
    select
        profiles.*,
        {% for family, label in segment_families() %}
            cast({{ label }} as {{ dbt.type_string() }}) as segment_{{ family }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from profiles
)

select * from final
