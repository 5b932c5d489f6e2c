{#- dbt-spark's session method pastes seed values into its INSERT without escaping them,
    so a description with an apostrophe ("the order's refunds") breaks the statement.
    This override writes each value as a Spark SQL literal (backslash escapes: two
    adjacent literals would be silently concatenated). -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {% set column_override = model['config'].get('column_types', {}) %}
    {% set statements = [] %}
    {% for chunk in agate_table.rows | batch(get_batch_size()) %}
        {% set rows = [] %}
        {% for row in chunk %}
            {% set values = [] %}
            {% for value in row %}
                {% set column_name = agate_table.column_names[loop.index0] %}
                {% set type = column_override.get(
                    column_name, adapter.convert_type(agate_table, loop.index0)) %}
                {% do values.append("cast(" ~ spark_literal(value) ~ " as " ~ type ~ ")") %}
            {% endfor %}
            {% do rows.append("(" ~ values | join(", ") ~ ")") %}
        {% endfor %}
        {% set sql = "insert into " ~ this.render() ~ " values " ~ rows | join(", ") %}
        {% do adapter.add_query(sql, abridge_sql_log=True) %}
        {% do statements.append(sql) %}
    {% endfor %}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}


{#- A Python value as a Spark SQL literal. -#}
{% macro spark_literal(value) %}
    {% if value is none %}{{ return('null') }}{% endif %}
    {% if value is number and value is not boolean %}{{ return(value | string) }}{% endif %}
    {{ return("'" ~ (value | string | replace('\\', '\\\\') | replace("'", "\\'")) ~ "'") }}
{% endmacro %}
