{#- One row per calendar `datepart` (day or month) from `first` to `last` (both SQL
    expressions of a date on that grain, e.g. scalar subqueries), as dates in the column
    `column_name`: the project's one calendar. At most `longest` periods. -#}
{% macro calendar_spine(datepart, first, last, column_name, longest) %}
    select {{ column_name }}
    from (
        select
            cast(
                {{ dbt.dateadd(datepart, 'offsets.generated_number - 1', first) }}
                as date
            ) as {{ column_name }}
        from ({{ dbt.generate_series(longest) }}) as offsets
    ) as periods
    where {{ column_name }} <= {{ last }}
{% endmacro %}
