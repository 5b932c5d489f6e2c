{#- Per acquisition cohort (month of first completed order) and month since then: how
    many of the cohort bought that month, the retention rate, the month's net revenue,
    and cumulative net revenue per cohort customer. Months run up to the as-of month. -#}

with

customers as (
    select * from {{ ref('int_customer_profiles') }}
),

orders as (
    select * from {{ ref('int_orders') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

cohorts as (
    select
        acquisition_cohort_month as cohort_month,
        count(*) as cohort_customers
    from customers
    where acquisition_cohort_month is not null
    group by acquisition_cohort_month
),

months as (
    {{ calendar_spine(
        'month', '(select min(cohort_month) from cohorts)',
        '(select ' ~ dbt.date_trunc('month', 'as_of_date') ~ ' from reporting_period)',
        'month_start', longest=1200
    ) }}
),

cohort_months as (
    select
        cohorts.cohort_month,
        cohorts.cohort_customers,
        {{ dbt.datediff('cohorts.cohort_month', 'months.month_start', 'month') }}
            as months_since_first_order
    from cohorts
    inner join months
        on cohorts.cohort_month <= months.month_start
),

activity as (
    select
        customers.acquisition_cohort_month as cohort_month,
        {{ dbt.datediff(
            'customers.acquisition_cohort_month',
            dbt.date_trunc('month', 'orders.order_date'),
            'month'
        ) }} as months_since_first_order,
        count(distinct orders.customer_id) as active_customers,
        sum(orders.net_amount) as net_revenue
    from orders
    inner join customers
        on orders.customer_id = customers.customer_id
    where orders.is_customer_purchase
    group by
        customers.acquisition_cohort_month,
        {{ dbt.datediff(
            'customers.acquisition_cohort_month',
            dbt.date_trunc('month', 'orders.order_date'),
            'month'
        ) }}
),

final as (
    select
        cohort_months.cohort_month,
        cast(cohort_months.months_since_first_order as integer) as months_since_first_order,
        cast(cohort_months.cohort_customers as bigint) as cohort_customers,
        cast(coalesce(activity.active_customers, 0) as bigint) as active_customers,
        {{ ratio('coalesce(activity.active_customers, 0)', 'cohort_months.cohort_customers') }}
            as retention_rate,
        cast(coalesce(activity.net_revenue, 0) as decimal(18, 2)) as net_revenue,
        {{ money_divided_by_count(
            'sum(coalesce(activity.net_revenue, 0)) over ('
            ~ ' partition by cohort_months.cohort_month'
            ~ ' order by cohort_months.months_since_first_order asc'
            ~ ' rows between unbounded preceding and current row)',
            'cohort_months.cohort_customers') }}
            as cumulative_net_revenue_per_customer
    from cohort_months
    left join activity
        on
            cohort_months.cohort_month = activity.cohort_month
            and cohort_months.months_since_first_order = activity.months_since_first_order
)

select * from final
