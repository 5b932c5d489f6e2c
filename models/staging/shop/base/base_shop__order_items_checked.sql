{#- Every raw order line, typed, with the reason it is quarantined (NULL when it is used). -#}
{%- set raw_columns = ['order_item_id', 'order_id', 'product_id', 'quantity', 'unit_price'] -%}

{#- Lines are rechecked when their order appears or its acceptance changes. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='changed_keys',
    unique_key='order_item_id',
    change_inputs=[
        {'raw_table': 'order_items'},
        {'refreshed_in': 'base_shop__order_ids', 'via': 'order_id'},
    ],
    on_schema_change='fail',
) }}

with

source_rows as (
    {{ checked_source_rows('order_items', raw_columns, 'order_item_id') }}
),

order_ids as (
    select * from {{ ref('base_shop__order_ids') }}
),

parsed as (
    select
        *,
        {{ clean_id('raw_order_item_id') }} as order_item_id,
        {{ clean_id('raw_order_id') }} as order_id,
        {{ clean_id('raw_product_id') }} as product_id,
        {{ parse_integer('raw_quantity') }} as quantity,
        {{ parse_money('raw_unit_price') }} as unit_price
    from source_rows
),

with_order as (
    select
        parsed.*,
        order_ids.order_id is not null as is_order_known,
        coalesce(order_ids.is_accepted, false) as is_order_accepted
    from parsed
    left join order_ids
        on parsed.order_id = order_ids.order_id
),

versioned as (
    {{ ranked_versions(
        'with_order', 'order_item_id', ['_loaded_at desc nulls last'],
        ['order_id', 'product_id', 'quantity', 'unit_price'],
    ) }}
),

checked as (
    select
        *,
        {{ first_failed_check([
            ("_extra_fields is not null", "too_many_fields"),
            ("order_item_id is null", "missing_order_item_id"),
        ] + version_checks() + [
            ("order_id is null or not is_order_known", "order_item_for_unknown_order"),
            ("not is_order_accepted", "order_item_for_rejected_order"),
            ("product_id is null", "missing_product_id"),
            ("quantity is null", "non_integer_quantity"),
            ("quantity <= 0", "non_positive_quantity"),
            (clean_text('raw_unit_price') ~ " is null", "missing_unit_price"),
            ("unit_price is null", "non_numeric_unit_price"),
            ("unit_price < 0", "negative_unit_price"),
            ("quantity * unit_price > " ~ project_var('max_order_amount'), "implausible_amount"),
        ]) }} as rejection_reason
    from versioned
),

final as (
    select
        order_item_id,
        order_id,
        product_id,
        quantity,
        unit_price,
        _loaded_at,
        {{ quarantine_columns(raw_columns) }},
        {{ run_refreshed_at() }} as refreshed_at
    from checked
)

select * from final
