{#- Long format: one row per customer and segment family, naming the segment the customer
    is in on the as-of date (the families and their labels: macros/segments/
    segment_families.sql). Per-family shares add up to 1. -#}

with

customers as (
    select * from {{ ref('int_customer_profiles') }}
),

top_customer_threshold as (
    select * from {{ ref('int_top_customer_threshold') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

memberships as (
    {% for family, label in segment_families() %}
        select
            customer_id,
            '{{ family }}' as segment_family,
            segment_{{ family }} as segment_name,
            net_lifetime_spend
        from customers
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        memberships.customer_id,
        memberships.segment_family,
        memberships.segment_name,
        memberships.net_lifetime_spend,
        top_customer_threshold.threshold as top_customer_threshold,
        reporting_period.as_of_at
    from memberships
    cross join top_customer_threshold
    cross join reporting_period
)

select * from final
