{#- Every raw NPS response, typed, with the reason it is quarantined (NULL when it is used).
    Of several rows with one response_id, the one loaded last wins. A response must name a
    known customer: one with an accepted customer record or an accepted order. -#}
{%- set raw_columns = ['response_id', 'customer_id', 'responded_at', 'score', 'comment'] -%}

with

source_rows as (
    {{ select_raw_rows('nps_responses', raw_columns) }}
),

customers as (
    select customer_id from {{ ref('base_shop__customers_checked') }}
    where rejection_reason is null
),

order_customers as (
    select distinct customer_id from {{ ref('base_shop__orders_checked') }}
    where rejection_reason is null and customer_id is not null
),

known_customers as (
    select customer_id from customers
    union
    select customer_id from order_customers
),

parsed as (
    select
        *,
        {{ clean_id('raw_response_id') }} as response_id,
        {{ clean_id('raw_customer_id') }} as customer_id,
        {{ parse_timestamp_utc('raw_responded_at') }} as responded_at,
        {{ parse_integer('raw_score') }} as score,
        {{ clean_text('raw_comment') }} as response_comment
    from source_rows
),

versioned as (
    {{ ranked_versions(
        'parsed', 'response_id',
        ['_loaded_at desc nulls last', 'responded_at desc nulls last'],
        ['customer_id', 'responded_at', 'score', 'response_comment'],
    ) }}
),

with_customer as (
    select
        versioned.*,
        known_customers.customer_id is not null as is_customer_known
    from versioned
    left join known_customers
        on versioned.customer_id = known_customers.customer_id
),

checked as (
    select
        *,
        {{ first_failed_check([
            ("_extra_fields is not null", "too_many_fields"),
            ("response_id is null", "missing_response_id"),
        ] + version_checks() + [
            ("customer_id is null", "missing_customer_id"),
            ("not is_customer_known", "nps_response_for_unknown_customer"),
            (clean_text('raw_responded_at') ~ " is null", "missing_responded_at"),
            ("responded_at is null", "unparseable_responded_at"),
            ("responded_at > " ~ run_started_timestamp(), "future_response"),
            (clean_text('raw_score') ~ " is null", "missing_score"),
            ("score is null", "non_integer_score"),
            ("score < 0 or score > 10", "score_out_of_range"),
        ]) }} as rejection_reason
    from with_customer
),

final as (
    select
        response_id,
        customer_id,
        responded_at,
        score,
        response_comment,
        _loaded_at,
        {{ quarantine_columns(raw_columns) }}
    from checked
)

select * from final
