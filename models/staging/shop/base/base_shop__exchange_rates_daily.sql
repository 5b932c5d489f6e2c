{#- One row per currency and calendar day from its first published rate to today, each
    day carrying the latest rate published on or before it, so orders find their rate
    with an equality join. -#}

-- Gaps between published rates longer than this many days are not filled.
{%- set longest_gap_days = 36525 %}

with

exchange_rates as (
    select * from {{ ref('base_shop__exchange_rates_checked') }}
    where
        rejection_reason is null
        and currency <> '{{ project_var('reporting_currency') }}'
),

rate_spans as (
    select
        currency,
        rate_date,
        rate_to_reporting,
        coalesce(
            {{ dbt.datediff(
                'rate_date',
                'lead(rate_date) over (partition by currency order by rate_date)',
                'day'
            ) }} - 1,
            {{ dbt.datediff('rate_date', run_started_date(), 'day') }}
        ) as days_valid_after
    from exchange_rates
),

day_offsets as (
    {{ dbt.generate_series(longest_gap_days) }}
),

final as (
    select
        rate_spans.currency,
        cast(
            {{ dbt.dateadd('day', 'day_offsets.generated_number - 1', 'rate_spans.rate_date') }}
            as date
        ) as rate_day,
        rate_spans.rate_date as published_rate_date,
        rate_spans.rate_to_reporting
    from rate_spans
    inner join day_offsets
        on day_offsets.generated_number - 1 <= greatest(rate_spans.days_valid_after, 0)
)

select * from final
