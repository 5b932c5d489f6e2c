{#- Models land in the schema their folder names (staging, intermediate, marts, reference),
    not "<target schema>_<folder>", so BI tools see stable schema names. A model without
    a custom schema lands in the target's schema. -#}
{% macro generate_schema_name(custom_schema_name, node) %}
    {{ return((custom_schema_name or target.schema) | trim) }}
{% endmacro %}
