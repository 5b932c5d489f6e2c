{#- The quarantine: every raw row staging could not use, with its raw values and why. -#}
{%- set checked_tables = [
    ('orders', 'base_shop__orders_checked', 'order_id'),
    ('order_items', 'base_shop__order_items_checked', 'order_item_id'),
    ('products', 'base_shop__products_checked', 'product_id'),
    ('customers', 'base_shop__customers_checked', 'customer_id'),
    ('refunds', 'base_shop__refunds_checked', 'refund_id'),
    ('exchange_rates', 'base_shop__exchange_rates_checked', 'currency'),
] -%}

with

{% for source_table, checked_model, key_column in checked_tables %}
    rejected_{{ source_table }} as (
        select
            '{{ source_table }}' as source_table,
            cast({{ key_column }} as {{ dbt.type_string() }}) as source_row_key,
            rejection_reason,
            raw_record,
            _loaded_at
        from {{ ref(checked_model) }}
        where rejection_reason is not null
    ),
{% endfor %}

final as (
    {% for source_table, _, _ in checked_tables %}
        select * from rejected_{{ source_table }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
