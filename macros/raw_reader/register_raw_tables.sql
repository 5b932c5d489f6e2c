{#-
  Makes every table of the raw-data contract (the `shop` source) queryable before any
  model runs, and fails fast, naming the file and column, when the input breaks the
  contract. The contract itself is read from `_shop__sources.yml`, so it is written once.
-#}
{% macro register_raw_tables() %}
    {#- Commands that only compile (or list) leave a built database as it is: they read
        the raw tables the last build registered. -#}
    {% if writes_to_warehouse() %}
        {% do adapter.dispatch('register_raw_tables', 'customer_segments')(
            raw_table_contract()
        ) %}
    {% endif %}
    {# The hook's own SQL: the work is done by the statements above. #}
    select 1 as raw_tables_registered
{% endmacro %}


{#- [{name, required, columns: [{name, required}]}] for each table of the shop source. -#}
{% macro raw_table_contract() %}
    {% set tables = [] %}
    {% for source_node in graph.sources.values()
        if source_node.source_name == 'shop' %}
        {% set columns = [] %}
        {% for column in source_node.columns.values() %}
            {% do columns.append({
                'name': column.name,
                'required': node_meta(column).get('required', false),
            }) %}
        {% endfor %}
        {% do tables.append({
            'name': source_node.name,
            'required': node_meta(source_node).get('required', false),
            'columns': columns,
        }) %}
    {% endfor %}
    {{ return(tables) }}
{% endmacro %}


{#- `meta` set under `config:` (dbt >= 1.10) or at the top level of a node or column. -#}
{% macro node_meta(node) %}
    {% set config = node.get('config') or {} %}
    {% set meta = {} %}
    {% do meta.update(node.get('meta') or {}) %}
    {% do meta.update(config.get('meta') or {}) %}
    {{ return(meta) }}
{% endmacro %}


{#- Other engines: the raw tables are loaded by you; check them, create absent optional ones empty. -#}
{% macro default__register_raw_tables(contract) %}
    {% set raw_schema = project_var('raw_schema') %}
    {% for table in contract %}
        {% set relation = adapter.get_relation(
            database=target.database, schema=raw_schema, identifier=table.name
        ) %}
        {% if relation is none and table.required %}
            {{ exceptions.raise_compiler_error(
                "Raw table " ~ raw_schema ~ "." ~ table.name ~ " is required but does not exist."
            ) }}
        {% elif relation is none %}
            {% do adapter.create_schema(api.Relation.create(
                database=target.database, schema=raw_schema
            )) %}
            {% do run_query(
                "create view " ~ adapter.quote(raw_schema) ~ "." ~ adapter.quote(table.name)
                ~ " as " ~ empty_raw_table_sql(table)
            ) %}
        {% else %}
            {% set present = adapter.get_columns_in_relation(relation)
                | map(attribute='name') | map('lower') | list %}
            {% for column in table.columns
                if column.name | lower not in present and column.name != '_loaded_at' %}
                {{ exceptions.raise_compiler_error(
                    "Raw table " ~ relation ~ " has no column '" ~ column.name ~ "'"
                    ~ (" (required)." if column.required
                       else " (optional: add it, empty, or leave the table out).")
                ) }}
            {% endfor %}
        {% endif %}
    {% endfor %}
{% endmacro %}


{#- A zero-row select with the contract's columns, standing in for an absent optional table. -#}
{% macro empty_raw_table_sql(table) %}
    {% set select_list = [] %}
    {% for column in table.columns if column.name != '_loaded_at' %}
        {% do select_list.append(
            "cast(null as " ~ dbt.type_string() ~ ") as " ~ column.name
        ) %}
    {% endfor %}
    {% do select_list.append("cast(null as " ~ dbt.type_string() ~ ") as _extra_fields") %}
    {% do select_list.append("cast(null as " ~ dbt.type_string() ~ ") as _source_file") %}
    {% do select_list.append("cast(null as " ~ dbt.type_timestamp() ~ ") as _loaded_at") %}
    {{ return("select " ~ select_list | join(", ") ~ " where 1 = 0") }}
{% endmacro %}
