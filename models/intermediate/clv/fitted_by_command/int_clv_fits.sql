{#- Engines whose dbt adapter runs no Python models (PostgreSQL, Spark): the fits that
    `customer-segments fit-clv` computed (customer_segments.clv.tables, as DuckDB's Python
    model does) and landed in the clv_fit source. They are used only while they were fitted
    on exactly today's calibration summary: a fit that has not run yet, or ran on other
    data, gives fit_status `not_fitted` and empty predictions, never stale ones. -#}
{%- set landed_fits = load_relation(source('clv_fit', 'fits')) if execute else none -%}
{%- set double = type_double() -%}
{%- set column_types = [
    ('time_unit', dbt.type_string()), ('customers', 'bigint'), ('repeat_customers', 'bigint'),
    ('bgnbd_r', double), ('bgnbd_alpha', double), ('bgnbd_a', double), ('bgnbd_b', double),
    ('bgnbd_log_likelihood', double), ('bgnbd_converged', 'boolean'),
    ('gamma_gamma_p', double), ('gamma_gamma_q', double), ('gamma_gamma_gamma', double),
    ('gamma_gamma_log_likelihood', double), ('gamma_gamma_converged', 'boolean'),
    ('gamma_gamma_customers', 'bigint'), ('fitted_on_customers', 'bigint'),
    ('parameters_calibration_end_date', 'date'), ('parameters_customers', 'bigint'),
    ('fit_decision', dbt.type_string()), ('fit_decision_reason', dbt.type_string()),
] -%}

with

summary as (
    select * from {{ ref('int_customers_clv_summary') }}
),

fit_purposes as (
    select
        'prediction' as fit_purpose,
        as_of_date as calibration_end_date
    from {{ ref('int_reporting_period') }}
    {% if project_var('clv_holdout_days') | int > 0 %}
        union all
        select
            'holdout_validation' as fit_purpose,
            {{ dbt.dateadd('day', -(project_var('clv_holdout_days') | int), 'as_of_date') }}
                as calibration_end_date
        from {{ ref('int_reporting_period') }}
    {% endif %}
),

{% if landed_fits is none %}

    final as (
        select
            fit_purposes.fit_purpose,
            cast(fit_purposes.calibration_end_date as date) as calibration_end_date,
            {%- for column, type in column_types %}
                cast(null as {{ type }}) as {{ column }},
            {%- endfor %}
            'not_fitted' as fit_status,
            'The fit has not run: customer-segments build runs it (or customer-segments'
            || ' fit-clv between the two dbt selections).' as fit_status_reason
        from fit_purposes
    )

{% else %}

    fitted_summary as (
        select * from {{ source('clv_fit', 'fitted_summary') }}
    ),

    -- Customers whose summary is not the one the landed fit was computed on.
    changed_customers as (
        select
            coalesce(summary.fit_purpose, fitted_summary.fit_purpose) as fit_purpose,
            count(*) as changed_customer_count
        from summary
        full outer join fitted_summary
            on
                summary.fit_purpose = fitted_summary.fit_purpose
                and summary.customer_id = fitted_summary.customer_id
        where
            summary.customer_id is null
            or fitted_summary.customer_id is null
            {%- for column in ['repeat_transactions', 'time_to_last_purchase',
                'observation_time', 'mean_repeat_value', 'holdout_transactions'] %}
                or not ({{ equal_or_both_null(
                    'cast(summary.' ~ column ~ ' as ' ~ double ~ ')',
                    'cast(fitted_summary.' ~ column ~ ' as ' ~ double ~ ')') }})
            {%- endfor %}
            or summary.calibration_end_date <> fitted_summary.calibration_end_date
        group by coalesce(summary.fit_purpose, fitted_summary.fit_purpose)
    ),

    landed as (
        select * from {{ source('clv_fit', 'fits') }}
    ),

    final as (
        select
            fit_purposes.fit_purpose,
            cast(fit_purposes.calibration_end_date as date) as calibration_end_date,
            {%- for column, type in column_types %}
                cast(case when fit_purposes.is_current then landed.{{ column }} end
                    as {{ type }}) as {{ column }},
            {%- endfor %}
            case when fit_purposes.is_current then landed.fit_status else 'not_fitted' end as fit_status,
            case
                when fit_purposes.is_current then landed.fit_status_reason
                when landed.fit_purpose is null
                    then 'The fit has not run for this purpose: customer-segments fit-clv.'
                else 'The landed fit was computed on another calibration summary ('
                    || cast(changed_customers.changed_customer_count as {{ dbt.type_string() }})
                    || ' customers differ): run customer-segments fit-clv again.'
            end as fit_status_reason
        from (
            select
                fit_purposes.*,
                landed_fit.fit_purpose is not null
                and changed.fit_purpose is null as is_current
            from fit_purposes
            left join landed as landed_fit on fit_purposes.fit_purpose = landed_fit.fit_purpose
            left join changed_customers as changed
                on fit_purposes.fit_purpose = changed.fit_purpose
        ) as fit_purposes
        left join landed on fit_purposes.fit_purpose = landed.fit_purpose
        left join changed_customers on fit_purposes.fit_purpose = changed_customers.fit_purpose
    )

{% endif %}

select * from final
