{#- A score from 1 to `buckets`: ceil(buckets * at_or_below / population), where
    `at_or_below` counts the rows no better than this one, ties included, so equal values
    always share a score. Integer arithmetic: the quotient's floor is exact for
    populations below 2^26. -#}
{% macro quintile_score(at_or_below, population, buckets=5) %}
    cast(
        floor(
            cast({{ buckets }} * {{ at_or_below }} + {{ population }} - 1 as {{ type_double() }})
            / {{ population }}
        ) as integer
    )
{% endmacro %}
