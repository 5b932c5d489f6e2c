{%- set raw_columns = ['currency', 'rate_date', 'rate_to_reporting'] -%}

with

source_rows as (
    {{ select_raw_rows('exchange_rates', raw_columns) }}
),

parsed as (
    select
        *,
        upper({{ clean_text('raw_currency') }}) as currency,
        {{ parse_date('raw_rate_date') }} as rate_date,
        {{ parse_rate('raw_rate_to_reporting') }} as rate_to_reporting
    from source_rows
),

ranked as (
    select
        *,
        row_number() over (
            partition by currency, rate_date
            order by rate_to_reporting asc, _loaded_at desc
        ) as row_rank_for_day,
        min(rate_to_reporting) over (
            partition by currency, rate_date
        ) as lowest_rate_for_day,
        max(rate_to_reporting) over (
            partition by currency, rate_date
        ) as highest_rate_for_day
    from parsed
),

checked as (
    select
        *,
        {{ first_failed_check([
            ("_extra_fields is not null", "too_many_fields"),
            ("currency is null", "missing_currency"),
            (clean_text('raw_rate_date') ~ " is null", "missing_rate_date"),
            ("rate_date is null", "unparseable_rate_date"),
            (clean_text('raw_rate_to_reporting') ~ " is null", "missing_rate"),
            ("rate_to_reporting is null", "non_numeric_rate"),
            ("rate_to_reporting <= 0", "non_positive_rate"),
            ("lowest_rate_for_day <> highest_rate_for_day", "conflicting_rate"),
            ("row_rank_for_day > 1", "superseded_duplicate"),
        ]) }} as rejection_reason
    from ranked
),

final as (
    select
        currency,
        rate_date,
        rate_to_reporting,
        _loaded_at,
        {{ quarantine_columns(raw_columns) }}
    from checked
)

select * from final
