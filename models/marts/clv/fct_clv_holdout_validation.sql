{#- How well the CLV model predicts: refitted with the last `clv_holdout_days` held out,
    its expected transactions per customer in those days against what happened, per
    segment (segments as of the as-of date). -#}

with

predictions as (
    select * from {{ ref('int_customers_clv_predictions') }}
    where fit_purpose = 'holdout_validation'
),

memberships as (
    select * from {{ ref('int_customer_segment_memberships') }}
),

fits as (
    select * from {{ ref('int_clv_fits') }}
    where fit_purpose = 'holdout_validation'
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

by_segment as (
    select
        memberships.segment_family,
        memberships.segment_name,
        count(*) as customers,
        sum(predictions.expected_holdout_transactions) as expected_transactions,
        sum(predictions.holdout_transactions) as actual_transactions,
        avg(abs(predictions.expected_holdout_transactions - predictions.holdout_transactions))
            as mean_absolute_error
    from predictions
    inner join memberships
        on predictions.customer_id = memberships.customer_id
    group by memberships.segment_family, memberships.segment_name
),

final as (
    select
        by_segment.segment_family,
        by_segment.segment_name,
        reporting_period.as_of_date,
        cast(fits.calibration_end_date as date) as calibration_end_date,
        cast(by_segment.customers as bigint) as customers,
        cast(by_segment.expected_transactions as {{ type_double() }}) as expected_transactions,
        cast(by_segment.actual_transactions as {{ type_double() }}) as actual_transactions,
        {{ ratio('by_segment.expected_transactions', 'by_segment.actual_transactions') }}
            as expected_to_actual_ratio,
        cast(by_segment.mean_absolute_error as {{ type_double() }}) as mean_absolute_error
    from by_segment
    cross join fits
    cross join reporting_period
)

select * from final
