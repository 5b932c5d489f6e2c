{#- Money divided by a count (an average order value, spend per customer), rounded to the
    cent half away from zero, exactly. DuckDB divides a decimal by an integer in double
    precision (144.89 / 2 gives 72.44, not 72.445 -> 72.45); whole cents divided as
    integers give the same cent on every engine. NULL when `count` is NULL; callers
    guard a zero count. -#}
{% macro money_divided_by_count(money, count) %}
    cast(
        cast(
            sign({{ money }}) * {{ integer_divide(
                'abs(cast(' ~ money ~ ' * 100 as bigint)) * 2 + ' ~ count, '2 * ' ~ count) }}
            as decimal(18, 2)
        ) * 0.01
        as decimal(18, 2)
    )
{% endmacro %}


{#- Whole-number division of two non-negative integers, truncated. -#}
{% macro integer_divide(numerator, denominator) %}
    {{ return(adapter.dispatch('integer_divide', 'customer_segments')(numerator, denominator)) }}
{% endmacro %}

{#- floor() too: a sum of integers is numeric on PostgreSQL, and numeric / numeric is not
    whole-number division. -#}
{% macro default__integer_divide(numerator, denominator) %}
    floor(({{ numerator }}) / ({{ denominator }}))
{% endmacro %}

{% macro duckdb__integer_divide(numerator, denominator) %}
    (({{ numerator }}) // ({{ denominator }}))
{% endmacro %}

{% macro spark__integer_divide(numerator, denominator) %}
    (({{ numerator }}) div ({{ denominator }}))
{% endmacro %}


{#- numerator / denominator in double precision, NULL when the denominator is 0 or NULL.
    Spark divides decimals to as few as six places and PostgreSQL in its own numeric:
    doubles give every engine the same ratio. -#}
{% macro ratio(numerator, denominator) %}
    (cast({{ numerator }} as {{ type_double() }})
        / nullif(cast({{ denominator }} as {{ type_double() }}), 0))
{% endmacro %}


{#- A double rounded to cents, half away from zero, from its shortest decimal form (what
    the engine prints), so 72.445 rounds to 72.45 on every engine: DuckDB would round the
    binary value (72.4449999...) down, PostgreSQL and Spark read 15 or 17 digits. -#}
{% macro double_to_cents(expression) %}
    cast(cast(cast({{ expression }} as {{ type_double() }}) as {{ dbt.type_string() }})
        as decimal(18, 2))
{% endmacro %}
