{#- The `top_customer_fraction` var (validated in project_var: above 0, at most 1), as SQL. -#}
{% macro top_customer_fraction() %}
    {{ return(project_var('top_customer_fraction') | string) }}
{% endmacro %}
