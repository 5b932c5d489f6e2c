{#-
  percentile(column, fraction, method='discrete', descending=false)

  An aggregate expression (use it like `sum`, with or without `group by`) returning a
  percentile of the non-null values of `column`.

  - method='discrete': a real value of the column, never an interpolation: the value at
    1-based position ceil(fraction * N) when the N values are sorted (ascending, or
    descending with `descending=true`). This is SQL's percentile_disc, computed with exact
    decimal arithmetic: with doubles, ceil(0.1 * 30) is 4, not 3, and the top 10% of 30
    customers would silently be the top 4.
    The Top Customers threshold is percentile(spend, 0.10, 'discrete', descending=true):
    the spend of the customer ranked ceil(0.10 * N) from the top.
  - method='continuous': linear interpolation between the two nearest values, at position
    1 + fraction * (N - 1) (SQL's percentile_cont); `descending` takes 1 - fraction.

  `fraction` is a number or SQL expression between 0 and 1. NULL when there are no values.
-#}
{% macro percentile(column, fraction, method='discrete', descending=false) %}
    {% if method not in ('discrete', 'continuous') %}
        {{ exceptions.raise_compiler_error(
            "percentile: method must be 'discrete' or 'continuous', got '" ~ method ~ "'"
        ) }}
    {% endif %}
    {% if fraction is number and (fraction < 0 or fraction > 1) %}
        {{ exceptions.raise_compiler_error(
            "percentile: fraction must be between 0 and 1, got " ~ fraction
        ) }}
    {% endif %}
    {% set exact_fraction = "cast(" ~ fraction ~ " as decimal(18, 9))" %}
    {% if method == 'discrete' %}
        {{ return(adapter.dispatch('percentile_discrete', 'customer_segments')(
            column, exact_fraction, descending
        )) }}
    {% endif %}
    {% set ascending_fraction = ("(1 - " ~ exact_fraction ~ ")") if descending else exact_fraction %}
    {{ return(adapter.dispatch('percentile_continuous', 'customer_segments')(
        column, ascending_fraction
    )) }}
{% endmacro %}


{#- 1-based position of the discrete percentile among `count_expression` values. -#}
{% macro percentile_position(exact_fraction, count_expression) %}
    cast(
        case
            when ceil({{ exact_fraction }} * {{ count_expression }}) < 1 then 1
            else ceil({{ exact_fraction }} * {{ count_expression }})
        end
        as {{ dbt.type_bigint() }}
    )
{% endmacro %}


{#- Standard SQL; engines without a collect-and-index aggregate use it (their rank
    arithmetic may be in floating point). -#}
{% macro default__percentile_discrete(column, exact_fraction, descending) %}
    percentile_disc({{ exact_fraction }}) within group (
        order by {{ column }}{{ ' desc' if descending }}
    )
{% endmacro %}

{% macro duckdb__percentile_discrete(column, exact_fraction, descending) %}
    (list({{ column }} order by {{ column }}{{ ' desc' if descending }})
        filter (where {{ column }} is not null))[
        {{ percentile_position(exact_fraction, 'count(' ~ column ~ ')') }}
    ]
{% endmacro %}

{% macro postgres__percentile_discrete(column, exact_fraction, descending) %}
    (array_agg({{ column }} order by {{ column }}{{ ' desc' if descending }})
        filter (where {{ column }} is not null))[
        {{ percentile_position(exact_fraction, 'count(' ~ column ~ ')') }}
    ]
{% endmacro %}

{% macro spark__percentile_discrete(column, exact_fraction, descending) %}
    element_at(
        sort_array(collect_list({{ column }}), {{ 'false' if descending else 'true' }}),
        cast({{ percentile_position(exact_fraction, 'count(' ~ column ~ ')') }} as int)
    )
{% endmacro %}


{% macro default__percentile_continuous(column, ascending_fraction) %}
    percentile_cont({{ ascending_fraction }}) within group (order by {{ column }})
{% endmacro %}

{% macro duckdb__percentile_continuous(column, ascending_fraction) %}
    quantile_cont({{ column }}, cast({{ ascending_fraction }} as double))
{% endmacro %}

{% macro spark__percentile_continuous(column, ascending_fraction) %}
    percentile({{ column }}, cast({{ ascending_fraction }} as double))
{% endmacro %}
