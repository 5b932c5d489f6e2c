{#- The Top Customers rule as a boolean, never NULL: positive spend at or above a
    threshold that is a real customer's spend (ties all in). Used for Top Customers,
    value tiers and the "not a Top Customer" part of Rising Stars. -#}
{% macro reaches_spend_threshold(spend, threshold) %}
    coalesce({{ spend }} > 0 and {{ spend }} >= {{ threshold }}, false)
{% endmacro %}
