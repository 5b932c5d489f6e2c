{#- Every raw customer row, typed, with the reason it is quarantined (NULL when it is used).
    Of several rows with one customer_id, the one loaded last wins. A created_at or
    is_loyalty_member that does not parse is dropped, not the customer
    (stg_shop__data_quality_warnings reports it). -#}
{%- set raw_columns = ['customer_id', 'email', 'created_at', 'country', 'is_loyalty_member'] -%}

with

source_rows as (
    {{ select_raw_rows('customers', raw_columns) }}
),

parsed as (
    select
        *,
        {{ clean_id('raw_customer_id') }} as customer_id,
        lower({{ clean_text('raw_email') }}) as email,
        {{ parse_timestamp_utc('raw_created_at') }} as created_at,
        upper({{ clean_text('raw_country') }}) as country,
        {{ parse_boolean('raw_is_loyalty_member') }} as is_loyalty_member
    from source_rows
),

versioned as (
    {{ ranked_versions(
        'parsed', 'customer_id',
        ['_loaded_at desc nulls last', 'created_at desc nulls last'],
        ['email', 'country', 'is_loyalty_member'],
    ) }}
),

checked as (
    select
        *,
        {{ first_failed_check([
            ("_extra_fields is not null", "too_many_fields"),
            ("customer_id is null", "missing_customer_id"),
        ] + version_checks()) }} as rejection_reason,
        -- Optional profile fields that do not parse are dropped, not the customer.
        {{ unparseable_raw_text('created_at', 'raw_created_at') }} as unparseable_created_at,
        {{ unparseable_raw_text('is_loyalty_member', 'raw_is_loyalty_member') }}
            as unparseable_is_loyalty_member
    from versioned
),

final as (
    select
        customer_id,
        email,
        created_at,
        country,
        is_loyalty_member,
        unparseable_created_at,
        unparseable_is_loyalty_member,
        _loaded_at,
        {{ quarantine_columns(raw_columns) }}
    from checked
)

select * from final
