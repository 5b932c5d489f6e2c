{#- Fails on every row of the model where `expression` is not true. On a column, the
    expression still names the column itself. -#}
{% test expression_is_true(model, expression, column_name=none, where_clause=none) %}
    select *
    from {{ model }}
    where not ({{ expression }})
    {%- if where_clause %}
        and ({{ where_clause }})
    {%- endif %}
{% endtest %}
