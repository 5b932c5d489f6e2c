{#- Fails once for every combination of `columns` that appears on more than one row. -#}
{% test unique_combination_of_columns(model, columns) %}
    {{ repeated_values(model, columns) }}
{% endtest %}
