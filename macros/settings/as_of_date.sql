{#- The `as_of_date` var as a SQL date literal, or none when the var is empty (validated
    in project_var: YYYY-MM-DD). -#}
{% macro as_of_date_literal() %}
    {% set as_of_date = project_var('as_of_date') %}
    {{ return(none if as_of_date is none else "cast('" ~ as_of_date ~ "' as date)") }}
{% endmacro %}
