{#- The Segment Comparison Report: one row per segment of every family, its customers'
    behaviour, and each metric's index against All customers (100 = the same). -#}
{%- set indexed_metrics = segment_comparison_metrics() -%}

with

customers as (
    select * from {{ ref('int_customer_profiles') }}
),

memberships as (
    select * from {{ ref('int_customer_segment_memberships') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

segment_totals as (
    select
        memberships.segment_family,
        memberships.segment_name,
        count(*) as customer_count,
        sum(customers.net_lifetime_spend) as net_revenue,
        sum(customers.completed_order_count) as completed_order_count,
        sum(case when customers.is_purchasing_customer then 1 else 0 end)
            as purchasing_customer_count,
        sum(case when customers.is_repeat_customer then 1 else 0 end)
            as repeat_customer_count,
        {{ percentile('customers.days_since_last_order', 0.5, 'continuous') }}
            as median_days_since_last_order,
        avg(customers.tenure_days) as average_tenure_days,
        sum(case when customers.nps_score is not null then 1 else 0 end) as nps_respondent_count,
        sum(case when customers.nps_category = 'Promoter' then 1 else 0 end) as promoter_count,
        sum(case when customers.nps_category = 'Detractor' then 1 else 0 end) as detractor_count
    from memberships
    inner join customers
        on memberships.customer_id = customers.customer_id
    group by memberships.segment_family, memberships.segment_name
),

segment_metrics as (
    select
        segment_family,
        segment_name,
        customer_count,
        net_revenue,
        completed_order_count,
        {{ ratio('net_revenue', 'customer_count') }} as average_net_lifetime_spend,
        {{ ratio('net_revenue', 'completed_order_count') }} as average_order_value,
        {{ ratio('completed_order_count', 'customer_count') }} as orders_per_customer,
        median_days_since_last_order,
        {{ ratio('repeat_customer_count', 'purchasing_customer_count') }} as repeat_purchase_rate,
        average_tenure_days,
        nps_respondent_count,
        -- Net Promoter Score: % promoters - % detractors among the members who answered.
        100 * {{ ratio('promoter_count - detractor_count', 'nps_respondent_count') }}
            as net_promoter_score
    from segment_totals
),

everyone as (
    select * from segment_metrics
    where segment_family = 'all'
),

final as (
    select
        segment_metrics.segment_family,
        segment_metrics.segment_name,
        cast(segment_metrics.customer_count as bigint) as customer_count,
        {{ ratio('segment_metrics.customer_count', 'everyone.customer_count') }}
            as share_of_customers,
        cast(segment_metrics.net_revenue as decimal(18, 2)) as net_revenue,
        {{ ratio('segment_metrics.net_revenue', 'everyone.net_revenue') }} as share_of_revenue,
        {{ money_divided_by_count(
            'segment_metrics.net_revenue', 'nullif(segment_metrics.customer_count, 0)') }}
            as average_net_lifetime_spend,
        {{ money_divided_by_count(
            'segment_metrics.net_revenue', 'nullif(segment_metrics.completed_order_count, 0)') }}
            as average_order_value,
        cast(segment_metrics.orders_per_customer as {{ type_double() }}) as orders_per_customer,
        cast(segment_metrics.median_days_since_last_order as {{ type_double() }})
            as median_days_since_last_order,
        cast(segment_metrics.repeat_purchase_rate as {{ type_double() }})
            as repeat_purchase_rate,
        cast(segment_metrics.average_tenure_days as {{ type_double() }}) as average_tenure_days,
        cast(segment_metrics.nps_respondent_count as bigint) as nps_respondent_count,
        cast(segment_metrics.net_promoter_score as {{ type_double() }}) as net_promoter_score,
        {%- for metric in indexed_metrics %}
            {{ double_to_cents(
                '100 * ' ~ ratio('segment_metrics.' ~ metric, 'everyone.' ~ metric)) }}
                as {{ metric }}_index,
        {%- endfor %}
        reporting_period.as_of_date
    from segment_metrics
    cross join everyone
    cross join reporting_period
)

select * from final
