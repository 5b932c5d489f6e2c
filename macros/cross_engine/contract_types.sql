{#- The contracts in the models' YAML name their column types once, in DuckDB's words
    (varchar, double, decimal(18, 2), ...). These overrides of dbt's own macros translate
    the few names an engine spells differently, where dbt uses them: the NULL casts that
    check a contract and the column list of the table it creates. So one contract serves
    every engine. -#}

{#- {declared type (lower case): this engine's name for it}. -#}
{% macro contract_type_renames() %}
    {{ return(adapter.dispatch('contract_type_renames', 'customer_segments')()) }}
{% endmacro %}

{% macro default__contract_type_renames() %}{{ return({}) }}{% endmacro %}

{% macro postgres__contract_type_renames() %}
    {{ return({'double': 'double precision'}) }}
{% endmacro %}

{% macro spark__contract_type_renames() %}
    {{ return({'varchar': 'string'}) }}
{% endmacro %}


{#- `type` as this engine spells it. -#}
{% macro contract_type(type) %}
    {{ return(contract_type_renames().get(type | trim | lower, type)) }}
{% endmacro %}


{% macro postgres__cast(field, type) %}
    cast({{ field }} as {{ contract_type(type) }})
{% endmacro %}

{% macro spark__cast(field, type) %}
    cast({{ field }} as {{ contract_type(type) }})
{% endmacro %}


{#- dbt's table_columns_and_constraints, with the model's column types translated. -#}
{% macro postgres__get_table_columns_and_constraints() %}
    {{ return(translated_table_columns_and_constraints()) }}
{% endmacro %}

{% macro spark__get_table_columns_and_constraints() %}
    {{ return(translated_table_columns_and_constraints()) }}
{% endmacro %}

{% macro translated_table_columns_and_constraints() %}
    {%- set columns = {} -%}
    {%- for name, column in model['columns'].items() -%}
        {%- set translated = {} -%}
        {%- do translated.update(column) -%}
        {%- if column.get('data_type') -%}
            {%- do translated.update({'data_type': contract_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- do columns.update({name: translated}) -%}
    {%- endfor -%}
    {%- set column_constraints = adapter.render_raw_columns_constraints(raw_columns=columns) -%}
    {%- set model_constraints = adapter.render_raw_model_constraints(
        raw_constraints=model['constraints']) -%}
    {%- set items = column_constraints + model_constraints -%}
    {{ return('(' ~ items | join(', ') ~ ')') }}
{% endmacro %}
