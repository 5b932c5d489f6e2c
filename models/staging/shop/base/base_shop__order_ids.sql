{#- Every order id seen in the raw orders, and whether its order was accepted: refunds
    and order lines are checked against it. A row is rewritten only when the id is new or
    its acceptance changed, so order lines are rechecked only then. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_changed_keys',
    unique_key='order_id',
    on_schema_change='fail',
) }}

{%- set changed_orders_sql %}
    select rechecked.order_id
    from (
        select
            order_id,
            max(case when rejection_reason is null then 1 else 0 end) = 1 as is_accepted
        from {{ ref('base_shop__orders_checked') }}
        where order_id in (
            {{ keys_refreshed_since(ref('base_shop__orders_checked'), 'order_id') }}
        )
        group by order_id
    ) as rechecked
    left join {{ this }} as stored
        on rechecked.order_id = stored.order_id
    where stored.is_accepted is distinct from rechecked.is_accepted
{%- endset %}
{%- do stage_changed_keys('order_id', changed_orders_sql) %}

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
        max(case when rejection_reason is null then 1 else 0 end) = 1 as is_accepted,
        {{ run_refreshed_at() }} as refreshed_at
    from checked_orders
    where order_id is not null
    group by order_id
)

select * from final
