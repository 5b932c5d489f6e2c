-- Who are my Top Customers? Highest net lifetime spend first, with what a marketer needs
-- to reach them. Compile with `dbt compile --select who_are_my_top_customers` and run the
-- SQL in target/compiled/.
with

customers as (
    select * from {{ ref('dim_customers') }}
),

final as (
    select
        lifetime_spend_rank,
        customer_id,
        email,
        country,
        net_lifetime_spend,
        completed_order_count,
        average_order_value,
        first_order_date,
        last_order_date,
        days_since_last_order,
        is_loyalty_member
    from customers
    where is_top_customer
)

select * from final
order by lifetime_spend_rank asc, customer_id asc
