{#- One row per calendar day from `first_day` to `last_day` (both SQL expressions of a
    date, e.g. scalar subqueries), as `date_day` dates: the day spine MetricFlow's time
    spine publishes. At most `longest_days` days. -#}
{% macro day_spine(first_day, last_day, longest_days=36525) %}
    select date_day
    from (
        select
            cast(
                {{ dbt.dateadd('day', 'day_offsets.generated_number - 1', first_day) }}
                as date
            ) as date_day
        from ({{ dbt.generate_series(longest_days) }}) as day_offsets
    ) as days
    where date_day <= {{ last_day }}
{% endmacro %}
