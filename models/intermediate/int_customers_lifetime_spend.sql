{#- One row per customer known on the as-of date: everyone who has ordered (under a
    customer id) or is in the customers table, with lifetime spend as of that date.
    dim_customers publishes it with the segments added. -#}

with

order_totals as (
    select * from {{ ref('int_customer_order_totals') }}
),

customer_records as (
    select * from {{ ref('stg_shop__customers') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

known_customer_records as (
    select customer_records.*
    from customer_records
    cross join reporting_period
    where
        customer_records.created_at is null
        or cast(customer_records.created_at as date) <= reporting_period.as_of_date
),

customer_ids as (
    select customer_id from order_totals
    union
    select customer_id from known_customer_records
),

joined as (
    select
        customer_ids.customer_id,
        known_customer_records.customer_id is not null as has_customer_record,
        known_customer_records.email,
        known_customer_records.country,
        known_customer_records.created_at,
        coalesce(known_customer_records.is_loyalty_member, false) as is_loyalty_member,
        order_totals.first_order_date,
        order_totals.last_order_date,
        coalesce(order_totals.order_count, 0) as order_count,
        coalesce(order_totals.completed_order_count, 0) as completed_order_count,
        coalesce(order_totals.gross_spend, 0) as gross_spend,
        coalesce(order_totals.refunded_amount, 0) as refunded_amount,
        coalesce(order_totals.net_lifetime_spend, 0) as net_lifetime_spend,
        {{ dbt.datediff('order_totals.first_order_date', 'reporting_period.as_of_date', 'day') }}
            as tenure_days,
        {{ dbt.datediff('order_totals.last_order_date', 'reporting_period.as_of_date', 'day') }}
            as days_since_last_order,
        {{ dbt.datediff('order_totals.first_order_date', 'order_totals.last_order_date', 'day') }}
            as days_first_to_last_order,
        reporting_period.as_of_date,
        reporting_period.reporting_currency
    from customer_ids
    cross join reporting_period
    left join known_customer_records
        on customer_ids.customer_id = known_customer_records.customer_id
    left join order_totals
        on customer_ids.customer_id = order_totals.customer_id
),

final as (
    select
        customer_id,
        has_customer_record,
        email,
        country,
        created_at,
        is_loyalty_member,
        first_order_date,
        last_order_date,
        cast(order_count as bigint) as order_count,
        cast(completed_order_count as bigint) as completed_order_count,
        cast(gross_spend as decimal(18, 2)) as gross_spend,
        cast(refunded_amount as decimal(18, 2)) as refunded_amount,
        cast(net_lifetime_spend as decimal(18, 2)) as net_lifetime_spend,
        -- The population N that Top Customers, value tiers and spend ranks are taken of.
        net_lifetime_spend > 0 as is_in_spend_population,
        cast(case
            when completed_order_count > 0
                then {{ money_divided_by_count('net_lifetime_spend', 'completed_order_count') }}
        end as decimal(18, 2)) as average_order_value,
        -- A customer younger than a year is not extrapolated to a full year.
        {{ ratio(
            'completed_order_count * 365.25',
            'case when tenure_days > 365.25 then tenure_days else 365.25 end') }}
            as orders_per_year_of_tenure,
        cast(days_since_last_order as integer) as days_since_last_order,
        cast(tenure_days as integer) as tenure_days,
        case
            when completed_order_count > 1
                then {{ ratio('days_first_to_last_order', 'completed_order_count - 1') }}
        end as average_days_between_orders,
        as_of_date,
        reporting_currency
    from joined
)

select * from final
