{#- Long format: one row per customer and segment family, naming the segment the customer
    is in on the as-of date. Each family partitions the customers (every customer in
    exactly one of its segments), so per-family shares add up to 1. A new segment family
    is one more entry in `families` below, naming a label column or expression of
    dim_customers: the comparison report, the published segments, the history snapshot
    and its events pick it up without changes. -#}
{%- set families = [
    ('all', "'All customers'"),
    ('top_customers', "case when is_top_customer then 'Top Customers' else 'Other customers' end"),
    ('value_tier', "'Tier ' || value_tier"),
    ('rfm', 'rfm_segment'),
    ('lifecycle', 'lifecycle_stage'),
    ('rising_stars', "case when is_rising_star then 'Rising Stars' else 'Not rising stars' end"),
    ('top_customers_at_risk',
        "case when is_top_customer_at_risk then 'Top Customers at risk' else 'Not at risk' end"),
    ('acquisition_cohort_year', "coalesce(acquisition_cohort_year, 'No purchases')"),
    ('acquisition_cohort_quarter', "coalesce(acquisition_cohort_quarter, 'No purchases')"),
    ('primary_category', 'primary_category'),
    ('loyalty', "case when is_loyalty_member then 'Loyalty members' else 'Non-members' end"),
] -%}

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
    {% for family, label in families %}
        select
            customer_id,
            '{{ family }}' as segment_family,
            cast({{ label }} as {{ dbt.type_string() }}) as segment_name,
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
