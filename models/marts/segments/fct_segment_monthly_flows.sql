{#- Per segment and calendar month: customers who entered, who exited, the net change,
    and the members at the end of the month (or on the newest as-of date, for the
    current month), ready for a BI chart. -#}

with

events as (
    select * from {{ ref('int_segment_events') }}
),

history as (
    select * from {{ ref('customer_segment_snapshot') }}
),

history_bounds as (
    select
        min({{ dbt.date_trunc('month', 'dbt_valid_from') }}) as first_month,
        max({{ dbt.date_trunc('month', 'dbt_updated_at') }}) as last_month
    from history
),

months as (
    {{ calendar_spine(
        'month', '(select first_month from history_bounds)',
        '(select last_month from history_bounds)', 'month_start', longest=1200
    ) }}
),

segments as (
    select distinct
        segment_family,
        segment_name
    from events
),

monthly_counts as (
    select
        segment_family,
        segment_name,
        cast({{ dbt.date_trunc('month', 'event_at') }} as date) as month_start,
        sum(case when event_type = 'entered' then 1 else 0 end) as entered_count,
        sum(case when event_type = 'exited' then 1 else 0 end) as exited_count
    from events
    group by
        segment_family,
        segment_name,
        cast({{ dbt.date_trunc('month', 'event_at') }} as date)
),

filled as (
    select
        segments.segment_family,
        segments.segment_name,
        months.month_start,
        coalesce(monthly_counts.entered_count, 0) as entered_count,
        coalesce(monthly_counts.exited_count, 0) as exited_count
    from segments
    cross join months
    left join monthly_counts
        on
            segments.segment_family = monthly_counts.segment_family
            and segments.segment_name = monthly_counts.segment_name
            and months.month_start = monthly_counts.month_start
),

final as (
    select
        segment_family,
        segment_name,
        month_start,
        cast(entered_count as bigint) as entered_count,
        cast(exited_count as bigint) as exited_count,
        cast(entered_count - exited_count as bigint) as net_change,
        cast(
            sum(entered_count - exited_count) over (
                partition by segment_family, segment_name
                order by month_start asc
                rows between unbounded preceding and current row
            ) as bigint
        ) as members_at_month_end
    from filled
)

select * from final
