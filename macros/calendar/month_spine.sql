{#- One row per calendar month from `first_month` to `last_month` (both SQL expressions
    of a month's first day, e.g. scalar subqueries), as `month_start` dates: the one
    month spine of the project. At most `longest_months` months. -#}
{% macro month_spine(first_month, last_month, longest_months=1200) %}
    select month_start
    from (
        select
            cast(
                {{ dbt.dateadd('month', 'month_offsets.generated_number - 1', first_month) }}
                as date
            ) as month_start
        from ({{ dbt.generate_series(longest_months) }}) as month_offsets
    ) as months
    where month_start <= {{ last_month }}
{% endmacro %}
