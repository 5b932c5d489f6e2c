{#- The `top_customer_fraction` var, checked: a number above 0 and at most 1. -#}
{% macro top_customer_fraction() %}
    {% set value = var('top_customer_fraction') %}
    {% set number = value | float(-1) %}
    {% if number <= 0 or number > 1 %}
        {{ exceptions.raise_compiler_error(
            "var top_customer_fraction must be a number above 0 and at most 1; got '"
            ~ value ~ "'."
        ) }}
    {% endif %}
    {{ return(value | string) }}
{% endmacro %}
