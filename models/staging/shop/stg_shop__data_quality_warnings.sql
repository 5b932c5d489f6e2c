{#- Values of optional columns that do not parse, one row each: the row itself is used
    without them (an order without its updated_at, a customer without created_at), so
    nothing is lost and nothing is silently wrong. Quarantined rows are not repeated
    here: stg_shop__rejected_rows has them whole. -#}

with

orders as (
    select * from {{ ref('base_shop__orders_checked') }}
    where rejection_reason is null
),

customers as (
    select * from {{ ref('base_shop__customers_checked') }}
    where rejection_reason is null
),

warnings as (
    select
        'orders' as source_table,
        order_id as source_row_key,
        'updated_at' as column_name,
        unparseable_updated_at as raw_value,
        'unparseable_updated_at' as warning,
        _loaded_at
    from orders
    where unparseable_updated_at is not null
    union all
    select
        'customers' as source_table,
        customer_id as source_row_key,
        'created_at' as column_name,
        unparseable_created_at as raw_value,
        'unparseable_created_at' as warning,
        _loaded_at
    from customers
    where unparseable_created_at is not null
    union all
    select
        'customers' as source_table,
        customer_id as source_row_key,
        'is_loyalty_member' as column_name,
        unparseable_is_loyalty_member as raw_value,
        'unparseable_is_loyalty_member' as warning,
        _loaded_at
    from customers
    where unparseable_is_loyalty_member is not null
),

final as (
    select
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(source_row_key as {{ dbt.type_string() }}) as source_row_key,
        cast(column_name as {{ dbt.type_string() }}) as column_name,
        cast(raw_value as {{ dbt.type_string() }}) as raw_value,
        cast(warning as {{ dbt.type_string() }}) as warning,
        _loaded_at
    from warnings
)

select * from final
