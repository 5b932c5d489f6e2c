{#- One row per as-of date built: the Top Customers threshold and how the segment looks.
    Building again for the same as-of date replaces that date's row; other dates stay,
    so the table is the threshold's history. -#}
{{ config(
    materialized='incremental',
    unique_key='as_of_date',
    incremental_strategy=key_replacing_strategy(),
    partition_by=key_replacing_partitions('as_of_date'),
    on_schema_change='fail',
) }}

with

customers as (
    select * from {{ ref('int_customer_profiles') }}
),

top_customer_threshold as (
    select * from {{ ref('int_top_customer_threshold') }}
),

segment_totals as (
    select
        sum(case when customers.is_top_customer then 1 else 0 end) as member_count,
        sum(
            case
                when
                    customers.is_top_customer
                    and customers.net_lifetime_spend = top_customer_threshold.threshold
                    then 1
                else 0
            end
        ) as members_at_threshold,
        sum(case when customers.is_top_customer then customers.net_lifetime_spend else 0 end)
            as member_net_revenue,
        sum(customers.net_lifetime_spend) as customer_net_revenue
    from customers
    cross join top_customer_threshold
),

final as (
    select
        top_customer_threshold.as_of_date,
        top_customer_threshold.top_customer_fraction,
        top_customer_threshold.population,
        top_customer_threshold.threshold_rank,
        top_customer_threshold.threshold,
        cast(segment_totals.member_count as bigint) as member_count,
        {{ ratio('segment_totals.member_count', 'top_customer_threshold.population') }}
            as member_share,
        cast(segment_totals.members_at_threshold as bigint) as members_at_threshold,
        cast(segment_totals.member_net_revenue as decimal(18, 2)) as member_net_revenue,
        {{ ratio('segment_totals.member_net_revenue', 'segment_totals.customer_net_revenue') }}
            as member_net_revenue_share
    from top_customer_threshold
    cross join segment_totals
)

select * from final
