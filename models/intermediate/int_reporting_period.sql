{#- One row: the date every metric is computed as of, and the reporting settings. -#}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

-- No accepted order yet (a new shop, or every row quarantined): as of today.
latest_order as (
    select coalesce(max(order_date), {{ run_started_date() }}) as latest_order_date
    from orders
),

final as (
    select
        {{ as_of_date_literal() or 'latest_order_date' }} as as_of_date,
        cast({{ as_of_date_literal() or 'latest_order_date' }} as {{ dbt.type_timestamp() }})
            as as_of_at,
        cast('{{ project_var('reporting_currency') }}' as {{ dbt.type_string() }})
            as reporting_currency,
        {{ 'true' if project_var('include_tax_and_shipping') else 'false' }}
            as includes_tax_and_shipping
    from latest_order
)

select * from final
