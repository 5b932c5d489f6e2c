{#- Every raw refund row, typed, with the reason it is quarantined (NULL when it is used).
    Refunds are checked against the order they return money for, so a refund can never
    take an order's net amount below zero. -#}
{%- set raw_columns = ['refund_id', 'order_id', 'refunded_at', 'amount'] -%}

{{ config(
    materialized='incremental',
    incremental_strategy='changed_keys',
    unique_key='refund_id',
    change_inputs=[
        {'raw_table': 'refunds'},
        {
            'rule': 'refunds_rechecked_with_their_order',
            'rebuilt_with': ['base_shop__orders_checked', 'base_shop__order_ids'],
        },
    ],
    on_schema_change='fail',
) }}

with

source_rows as (
    {{ checked_source_rows('refunds', raw_columns, 'refund_id') }}
),

accepted_orders as (
    select * from {{ ref('base_shop__orders_checked') }}
    where rejection_reason is null
),

order_ids as (
    select * from {{ ref('base_shop__order_ids') }}
),

parsed as (
    select
        *,
        {{ clean_id('raw_refund_id') }} as refund_id,
        {{ clean_id('raw_order_id') }} as order_id,
        {{ parse_timestamp_utc('raw_refunded_at') }} as refunded_at,
        {{ parse_money('raw_amount') }} as amount
    from source_rows
),

with_order as (
    select
        parsed.*,
        order_ids.order_id is not null as is_order_known,
        coalesce(order_ids.is_accepted, false) as is_order_accepted,
        accepted_orders.status as order_status,
        accepted_orders.ordered_at,
        accepted_orders.amount + accepted_orders.tax + accepted_orders.shipping
            as order_amount_paid
    from parsed
    left join accepted_orders
        on parsed.order_id = accepted_orders.order_id
    left join order_ids
        on parsed.order_id = order_ids.order_id
),

versioned as (
    {{ ranked_versions(
        'with_order', 'refund_id', ['_loaded_at desc nulls last'],
        ['order_id', 'refunded_at', 'amount'],
    ) }}
),

row_checked as (
    select
        *,
        {{ first_failed_check([
            ("_extra_fields is not null", "too_many_fields"),
            ("refund_id is null", "missing_refund_id"),
        ] + version_checks() + [
            ("order_id is null or not is_order_known", "refund_for_unknown_order"),
            ("not is_order_accepted", "refund_for_rejected_order"),
            (clean_text('raw_refunded_at') ~ " is null", "missing_refunded_at"),
            ("refunded_at is null", "unparseable_refunded_at"),
            (clean_text('raw_amount') ~ " is null", "missing_amount"),
            ("amount is null", "non_numeric_amount"),
            ("amount <= 0", "non_positive_amount"),
            ("order_status in ('pending', 'cancelled')", "refund_for_uncompleted_order"),
            ("refunded_at < ordered_at", "refund_before_order"),
            ("refunded_at > " ~ run_started_timestamp(), "future_refund"),
        ]) }} as row_rejection_reason
    from versioned
),

-- Refunds of one order, in the order they happened, add up; the one that takes the
-- total past what was paid, and every later one, are quarantined.
cumulated as (
    select
        *,
        sum(case when row_rejection_reason is null then amount else 0 end) over (
            partition by order_id
            order by refunded_at, refund_id
            rows between unbounded preceding and current row
        ) as refunded_so_far
    from row_checked
),

with_reason as (
    select
        *,
        coalesce(
            row_rejection_reason,
            case when refunded_so_far > order_amount_paid then 'refund_exceeds_remaining' end
        ) as rejection_reason
    from cumulated
),

final as (
    select
        refund_id,
        order_id,
        refunded_at,
        amount,
        _loaded_at,
        {{ quarantine_columns(raw_columns) }},
        {{ run_refreshed_at() }} as refreshed_at
    from with_reason
)

select * from final
