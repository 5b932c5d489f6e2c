{#- Every raw order row, typed, with the reason it is quarantined (NULL when it is used).
    Of several rows with one order_id, the latest updated_at wins (then the file loaded
    last); the others are superseded. When the latest rows disagree (same updated_at,
    same file, different values), none can be trusted: all of them are quarantined as
    conflicting_versions. An updated_at that does not parse is dropped, not the order
    (stg_shop__data_quality_warnings reports it). -#}
{%- set raw_columns = [
    'order_id', 'customer_id', 'ordered_at', 'status', 'currency',
    'amount', 'tax', 'shipping', 'updated_at',
] -%}

{{ config(
    materialized='incremental',
    incremental_strategy='changed_keys',
    unique_key='order_id',
    change_inputs=[
        {'raw_table': 'orders'},
        {'held_where': "rejection_reason in ('future_order', 'missing_exchange_rate')"},
        {'rule': 'orders_with_restated_exchange_rates'},
    ],
    on_schema_change='fail',
) }}

with

source_rows as (
    {{ checked_source_rows('orders', raw_columns, 'order_id') }}
),

daily_exchange_rates as (
    select * from {{ ref('base_shop__exchange_rates_daily') }}
),

parsed as (
    select
        *,
        {{ clean_id('raw_order_id') }} as order_id,
        {{ clean_id('raw_customer_id') }} as customer_id,
        {{ parse_timestamp_utc('raw_ordered_at') }} as ordered_at,
        lower({{ clean_text('raw_status') }}) as status,
        upper({{ clean_text('raw_currency') }}) as currency,
        {{ parse_money('raw_amount') }} as amount,
        {{ parse_money('raw_tax') }} as tax,
        {{ parse_money('raw_shipping') }} as shipping,
        {{ parse_timestamp_utc('raw_updated_at') }} as updated_at
    from source_rows
),

with_rates as (
    select
        parsed.*,
        cast(case
            when parsed.currency = '{{ project_var('reporting_currency') }}' then 1
            else daily_exchange_rates.rate_to_reporting
        end as decimal(18, 8)) as exchange_rate_to_reporting
    from parsed
    left join daily_exchange_rates
        on
            parsed.currency = daily_exchange_rates.currency
            and cast(parsed.ordered_at as date) = daily_exchange_rates.rate_day
),

versioned as (
    {{ ranked_versions(
        'with_rates', 'order_id',
        ['updated_at desc nulls last', '_loaded_at desc nulls last'],
        ['customer_id', 'ordered_at', 'status', 'currency', 'amount', 'tax', 'shipping'],
    ) }}
),

checked as (
    select
        *,
        {{ first_failed_check([
            ("_extra_fields is not null", "too_many_fields"),
            ("order_id is null", "missing_order_id"),
        ] + version_checks() + [
            (clean_text('raw_ordered_at') ~ " is null", "missing_ordered_at"),
            ("ordered_at is null", "unparseable_ordered_at"),
            ("cast(ordered_at as date) < cast('" ~ project_var('earliest_valid_order_date')
                ~ "' as date)", "implausible_ordered_at"),
            ("status is null or status not in ('completed', 'pending', 'cancelled', 'refunded')",
                "unknown_status"),
            ("currency is null", "missing_currency"),
            (clean_text('raw_amount') ~ " is null", "missing_amount"),
            ("amount is null", "non_numeric_amount"),
            ("amount < 0", "negative_amount"),
            ("tax is null and " ~ clean_text('raw_tax') ~ " is not null", "non_numeric_tax"),
            ("tax < 0", "negative_tax"),
            ("shipping is null and " ~ clean_text('raw_shipping') ~ " is not null",
                "non_numeric_shipping"),
            ("shipping < 0", "negative_shipping"),
            ("(amount + coalesce(tax, 0) + coalesce(shipping, 0))"
                ~ " * coalesce(exchange_rate_to_reporting, 1) > "
                ~ project_var('max_order_amount'), "implausible_amount"),
            ("ordered_at > " ~ run_started_timestamp(), "future_order"),
            ("exchange_rate_to_reporting is null", "missing_exchange_rate"),
        ]) }} as rejection_reason
    from versioned
),

final as (
    select
        order_id,
        customer_id,
        ordered_at,
        status,
        currency,
        amount,
        cast(coalesce(tax, 0) as decimal(18, 2)) as tax,
        cast(coalesce(shipping, 0) as decimal(18, 2)) as shipping,
        exchange_rate_to_reporting,
        updated_at,
        {{ unparseable_raw_text('updated_at', 'raw_updated_at') }} as unparseable_updated_at,
        _loaded_at,
        {{ quarantine_columns(raw_columns) }},
        {{ run_refreshed_at() }} as refreshed_at
    from checked
)

select * from final
