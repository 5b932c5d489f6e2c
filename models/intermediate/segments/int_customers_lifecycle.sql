{#- Each customer's lifecycle stage on the as-of date, by their own buying rhythm where
    they have one (at least `lifecycle_min_gaps_for_rhythm` gaps between purchase days):
    active while the days since the last purchase are within the 80th percentile of their
    own gaps, at risk beyond it, churned beyond their longest gap. Customers with fewer
    gaps use the population windows `lifecycle_active_days` and `lifecycle_churn_days`.
    New: first purchase within `lifecycle_new_days`. Reactivated: active again after a
    gap that had made them churned. Prospect: no completed order yet. -#}
{%- set min_gaps = project_var('lifecycle_min_gaps_for_rhythm') | int -%}

with

customers as (
    select * from {{ ref('int_customers_lifetime_spend') }}
),

purchase_days as (
    select
        customer_id,
        purchase_date as order_date
    from {{ ref('int_customer_purchase_days') }}
),

gaps as (
    select
        customer_id,
        {{ dbt.datediff(
            'lag(order_date) over (partition by customer_id order by order_date asc)',
            'order_date',
            'day'
        ) }} as gap_days,
        row_number() over (partition by customer_id order by order_date desc) as recency_rank
    from purchase_days
),

-- The 80th percentile of each customer's gaps, interpolated between the two gaps around
-- position 1 + 0.8 (n - 1) (as percentile_cont does), from ranks: sorts spill to disk,
-- while a per-customer percentile aggregate holds every gap in memory at once.
ranked_gaps as (
    select
        *,
        row_number() over (
            partition by customer_id order by gap_days asc nulls last
        ) as gap_rank,
        1 + 0.8 * (count(gap_days) over (partition by customer_id) - 1) as typical_gap_position
    from gaps
),

rhythms as (
    select
        customer_id,
        count(gap_days) as gap_count,
        max(case when gap_rank = floor(typical_gap_position) then gap_days end)
        + (max(typical_gap_position) - floor(max(typical_gap_position)))
        * (
            max(case when gap_rank = ceil(typical_gap_position) then gap_days end)
            - max(case when gap_rank = floor(typical_gap_position) then gap_days end)
        ) as typical_gap_days,
        max(gap_days) as longest_gap_days,
        max(case when recency_rank = 1 then gap_days end) as last_gap_days,
        count(case when recency_rank > 1 then gap_days end) as gap_count_before_last,
        max(case when recency_rank > 1 then gap_days end) as longest_gap_before_last_days
    from ranked_gaps
    group by customer_id
),

windows as (
    select
        customers.customer_id,
        customers.completed_order_count,
        customers.tenure_days,
        customers.days_since_last_order,
        rhythms.gap_count >= {{ min_gaps }} as has_own_rhythm,
        case
            when rhythms.gap_count >= {{ min_gaps }} then rhythms.typical_gap_days
            else {{ project_var('lifecycle_active_days') }}
        end as active_window_days,
        case
            when rhythms.gap_count >= {{ min_gaps }} then rhythms.longest_gap_days
            else {{ project_var('lifecycle_churn_days') }}
        end as churn_window_days,
        rhythms.last_gap_days > case
            when rhythms.gap_count_before_last >= {{ min_gaps }}
                then rhythms.longest_gap_before_last_days
            else {{ project_var('lifecycle_churn_days') }}
        end as came_back_from_churn
    from customers
    left join rhythms
        on customers.customer_id = rhythms.customer_id
),

final as (
    select
        customer_id,
        coalesce(has_own_rhythm, false) as has_own_rhythm,
        cast(active_window_days as {{ type_double() }}) as active_window_days,
        cast(churn_window_days as {{ type_double() }}) as churn_window_days,
        case
            when completed_order_count = 0 then 'Prospect'
            when tenure_days <= {{ project_var('lifecycle_new_days') }} then 'New'
            when days_since_last_order <= active_window_days and came_back_from_churn
                then 'Reactivated'
            when days_since_last_order <= active_window_days then 'Active'
            when days_since_last_order <= churn_window_days then 'At Risk'
            else 'Churned'
        end as lifecycle_stage
    from windows
)

select * from final
