{#- The calibration summary the CLV models are fitted on, one row per fit and customer
    with a completed order in the calibration period. Transactions are purchase days:
    several completed orders of one customer on one day are one transaction worth their
    net amount together.
      x   repeat transactions (purchase days after the first)
      t_x time from the first to the last purchase day
      T   time from the first purchase day to the end of calibration
      m   mean value of the repeat transactions (the first excluded)
    in the time unit of var `clv_time_unit`. The `prediction` fit calibrates on
    everything up to the as-of date; the `holdout_validation` fit stops
    `clv_holdout_days` earlier and counts the transactions made in the days held out. -#}
{%- set days_per_unit = {'week': 7.0, 'day': 1.0}[project_var('clv_time_unit')] -%}

with

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

fits as (
    select
        'prediction' as fit_purpose,
        as_of_date as calibration_end_date,
        as_of_date as holdout_end_date
    from reporting_period
    {% if project_var('clv_holdout_days') | int > 0 %}
        union all
        select
            'holdout_validation' as fit_purpose,
            cast(
                {{ dbt.dateadd('day', -1 * (project_var('clv_holdout_days') | int), 'as_of_date') }}
                as date
            ) as calibration_end_date,
            as_of_date as holdout_end_date
        from reporting_period
    {% endif %}
),

purchase_days as (
    select * from {{ ref('int_customer_purchase_days') }}
),

fit_purchase_days as (
    select
        fits.fit_purpose,
        fits.calibration_end_date,
        purchase_days.customer_id,
        purchase_days.purchase_date,
        purchase_days.purchase_value,
        row_number() over (
            partition by fits.fit_purpose, purchase_days.customer_id
            order by purchase_days.purchase_date asc
        ) as purchase_number
    from fits
    inner join purchase_days
        on fits.calibration_end_date >= purchase_days.purchase_date
),

calibration as (
    select
        fit_purpose,
        calibration_end_date,
        customer_id,
        count(*) - 1 as repeat_transactions,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        -- The exact sum over the count, divided once in double: avg() of a decimal is a
        -- double on DuckDB, six decimals on Spark and exact numeric on PostgreSQL.
        {{ ratio(
            'sum(case when purchase_number > 1 then purchase_value end)',
            'count(case when purchase_number > 1 then purchase_value end)') }}
            as mean_repeat_value
    from fit_purchase_days
    group by fit_purpose, calibration_end_date, customer_id
),

holdout_purchases as (
    select
        fits.fit_purpose,
        purchase_days.customer_id,
        count(*) as holdout_transactions
    from fits
    inner join purchase_days
        on
            fits.calibration_end_date < purchase_days.purchase_date
            and fits.holdout_end_date >= purchase_days.purchase_date
    where fits.fit_purpose = 'holdout_validation'
    group by fits.fit_purpose, purchase_days.customer_id
),

final as (
    select
        calibration.fit_purpose,
        calibration.calibration_end_date,
        calibration.customer_id,
        cast(calibration.repeat_transactions as bigint) as repeat_transactions,
        {{ ratio(dbt.datediff('first_purchase_date', 'last_purchase_date', 'day'), days_per_unit) }}
            as time_to_last_purchase,
        {{ ratio(
            dbt.datediff('first_purchase_date', 'calibration.calibration_end_date', 'day'),
            days_per_unit) }} as observation_time,
        cast(calibration.mean_repeat_value as {{ type_double() }}) as mean_repeat_value,
        cast(coalesce(holdout_purchases.holdout_transactions, 0) as bigint)
            as holdout_transactions
    from calibration
    left join holdout_purchases
        on
            calibration.fit_purpose = holdout_purchases.fit_purpose
            and calibration.customer_id = holdout_purchases.customer_id
)

select * from final
