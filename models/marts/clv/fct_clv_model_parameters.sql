{#- One row per CLV fit: the fitted BG/NBD and Gamma-Gamma parameters, how the fit
    went, whether its predictions can be trusted, and which run fitted the parameters the
    predictions used (fit_decision). -#}

with

fits as (
    select * from {{ ref('int_clv_fits') }}
),

reporting_period as (
    select * from {{ ref('int_reporting_period') }}
),

final as (
    select
        cast(fits.fit_purpose as {{ dbt.type_string() }}) as fit_purpose,
        reporting_period.as_of_date,
        cast(fits.calibration_end_date as date) as calibration_end_date,
        cast(fits.time_unit as {{ dbt.type_string() }}) as time_unit,
        cast(fits.customers as bigint) as customers,
        cast(fits.repeat_customers as bigint) as repeat_customers,
        cast(fits.bgnbd_r as {{ type_double() }}) as bgnbd_r,
        cast(fits.bgnbd_alpha as {{ type_double() }}) as bgnbd_alpha,
        cast(fits.bgnbd_a as {{ type_double() }}) as bgnbd_a,
        cast(fits.bgnbd_b as {{ type_double() }}) as bgnbd_b,
        cast(fits.bgnbd_log_likelihood as {{ type_double() }}) as bgnbd_log_likelihood,
        cast(fits.bgnbd_converged as boolean) as bgnbd_converged,
        cast(fits.gamma_gamma_p as {{ type_double() }}) as gamma_gamma_p,
        cast(fits.gamma_gamma_q as {{ type_double() }}) as gamma_gamma_q,
        cast(fits.gamma_gamma_gamma as {{ type_double() }}) as gamma_gamma_gamma,
        cast(fits.gamma_gamma_log_likelihood as {{ type_double() }})
            as gamma_gamma_log_likelihood,
        cast(fits.gamma_gamma_converged as boolean) as gamma_gamma_converged,
        cast(fits.gamma_gamma_customers as bigint) as gamma_gamma_customers,
        cast(fits.fitted_on_customers as bigint) as fitted_on_customers,
        cast(fits.fit_status as {{ dbt.type_string() }}) as fit_status,
        cast(fits.fit_status_reason as {{ dbt.type_string() }}) as fit_status_reason,
        cast(fits.parameters_calibration_end_date as date) as parameters_calibration_end_date,
        cast(fits.parameters_customers as bigint) as parameters_customers,
        cast(fits.fit_decision as {{ dbt.type_string() }}) as fit_decision,
        cast(fits.fit_decision_reason as {{ dbt.type_string() }}) as fit_decision_reason
    from fits
    cross join reporting_period
)

select * from final
