{#- A SQL string literal. -#}
{% macro sql_string(value) %}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{% endmacro %}


{#- a = b, where two NULLs count as equal (`is not distinct from` is not on every engine). -#}
{% macro equal_or_both_null(left, right) %}
    ({{ left }} = {{ right }} or ({{ left }} is null and {{ right }} is null))
{% endmacro %}
