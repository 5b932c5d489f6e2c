{#- Values of optional columns that do not parse, one row each: the row itself is used
    without them (an order without its updated_at, a customer without created_at), so
    nothing is lost and nothing is silently wrong. Quarantined rows are not repeated
    here: stg_shop__rejected_rows has them whole. Each checked model keeps the raw value
    of such a column in `unparseable_<column>`; the warning code is that name. -#}
{%- set dropped_values = [
    ('orders', 'base_shop__orders_checked', 'order_id', 'updated_at'),
    ('customers', 'base_shop__customers_checked', 'customer_id', 'created_at'),
    ('customers', 'base_shop__customers_checked', 'customer_id', 'is_loyalty_member'),
] -%}

with

warnings as (
    {% for source_table, checked_model, key_column, column_name in dropped_values %}
        select
            '{{ source_table }}' as source_table,
            {{ key_column }} as source_row_key,
            '{{ column_name }}' as column_name,
            unparseable_{{ column_name }} as raw_value,
            'unparseable_{{ column_name }}' as warning,
            _loaded_at
        from {{ ref(checked_model) }}
        where rejection_reason is null and unparseable_{{ column_name }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
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
