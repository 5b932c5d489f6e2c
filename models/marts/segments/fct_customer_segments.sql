{#- Long format for campaign exports: one row per customer and segment family, naming the
    segment the customer is in on the as-of date, with what a campaign tool needs. -#}

with

memberships as (
    select * from {{ ref('int_customer_segment_memberships') }}
),

customers as (
    select * from {{ ref('int_customer_profiles') }}
),

final as (
    select
        memberships.customer_id,
        memberships.segment_family,
        memberships.segment_name,
        customers.email,
        customers.country,
        customers.net_lifetime_spend,
        customers.last_order_date,
        customers.as_of_date
    from memberships
    inner join customers
        on memberships.customer_id = customers.customer_id
)

select * from final
