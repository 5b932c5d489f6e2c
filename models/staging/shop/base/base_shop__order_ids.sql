{#- Every order id seen in the raw orders, and whether its order was accepted: refunds
    and order lines are checked against it. A row is rewritten only when the id is new or
    its acceptance changed, so order lines are rechecked only then. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='changed_keys',
    unique_key='order_id',
    change_inputs=[
        {
            'rule': 'orders_whose_acceptance_changed',
            'rebuilt_with': ['base_shop__orders_checked'],
        },
    ],
    on_schema_change='fail',
) }}

with

checked_orders as (
    select * from {{ ref('base_shop__orders_checked') }}
    {% if is_incremental() %}
        where order_id in (select order_id from {{ changed_keys_relation() }})
    {% endif %}
),

final as (
    select
        order_id,
        {{ is_any_version_accepted() }} as is_accepted,
        {{ run_refreshed_at() }} as refreshed_at
    from checked_orders
    where order_id is not null
    group by order_id
)

select * from final
