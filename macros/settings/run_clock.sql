{#- The moment this dbt invocation started, in UTC: the "now" that future-dated rows are
    judged against, fixed for the whole run so every model agrees. -#}
{% macro run_started_timestamp() %}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{% endmacro %}

{% macro run_started_date() %}
    cast('{{ run_started_at.strftime("%Y-%m-%d") }}' as date)
{% endmacro %}
