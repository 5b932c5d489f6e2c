{#- Engines whose dbt adapter runs no Python models: the predictions `customer-segments
    fit-clv` landed, for the fits int_clv_fits says are current. Rows as DuckDB's Python
    model gives them: every customer of the prediction fit (predictions only when it is
    fitted), and the holdout fit's customers only when it is fitted. -#}
{%- set landed_predictions = load_relation(source('clv_fit', 'predictions'))
    if execute else none -%}
{%- set prediction_columns = [
    'probability_alive', 'expected_transactions_short_window',
    'expected_transactions_long_window', 'expected_average_order_value', 'predicted_clv',
    'expected_holdout_transactions', 'holdout_transactions',
] -%}

with

summary as (
    select * from {{ ref('int_customers_clv_summary') }}
),

fits as (
    select * from {{ ref('int_clv_fits') }}
),

{% if landed_predictions is not none %}
    landed as (
        select * from {{ source('clv_fit', 'predictions') }}
    ),
{% endif %}

final as (
    select
        summary.fit_purpose,
        summary.customer_id,
        case when fits.fit_status = 'fitted' then 'predicted' else fits.fit_status end
            as clv_status,
        {%- for column in prediction_columns %}
            cast(
                {{ 'landed.' ~ column if landed_predictions is not none else 'null' }}
                as {{ type_double() }}
            ) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from summary
    inner join fits on summary.fit_purpose = fits.fit_purpose
    {% if landed_predictions is not none %}
        left join landed
            on
                fits.fit_status = 'fitted'
                and summary.fit_purpose = landed.fit_purpose
                and summary.customer_id = landed.customer_id
    {% endif %}
    where summary.fit_purpose = 'prediction' or fits.fit_status = 'fitted'
)

select * from final
