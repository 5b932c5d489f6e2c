{#-
  dbt snapshots on Spark. dbt-spark's own snapshot needs MERGE, so Delta Lake, Iceberg or
  Hudi tables; on plain Parquet it refuses to run. This materialization keeps dbt's
  snapshot semantics (the strategy, the staging of inserts, updates and deletes, the
  column names) and applies them with MERGE where the table format has it, else by
  rewriting the table: every current row a change closes gets its dbt_valid_to, every
  staged insert not already present (by dbt_scd_id) is added, as MERGE would.
-#}
{% materialization snapshot, adapter='spark' %}
    {%- set file_format = config.get('file_format') or 'parquet' -%}
    {%- set grant_config = config.get('grants') -%}
    {% set target_exists, target_relation = get_or_create_relation(
        database=none, schema=model.schema,
        identifier=model.get('alias', model.get('name')), type='table') %}
    {% if not adapter.check_schema_exists(model.database, model.schema) %}
        {% do create_schema(model.schema) %}
    {% endif %}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% set strategy = strategy_dispatch(config.get('strategy'))(
        model, "snapshotted_data", "source_data", model['config'], target_exists) %}
    {% if not target_exists %}
        {% set final_sql = create_table_as(
            False, target_relation, build_snapshot_table(strategy, model['compiled_code'])) %}
    {% else %}
        {% set columns = config.get('snapshot_table_column_names')
            or get_snapshot_table_column_names() %}
        {{ adapter.valid_snapshot_target(target_relation, columns) }}
        {% set staging = api.Relation.create(
            identifier=target_relation.identifier ~ '__dbt_tmp', schema=target_relation.schema,
            database=none, type='view') %}
        {% call statement('build_snapshot_staging_relation') %}
            {{ create_view_as(staging, snapshot_staging_table(strategy, sql, target_relation)) }}
        {% endcall %}
        {#- The staging's own columns: dbt_change_type, and dbt_unique_key (or
            dbt_unique_key_1, _2, ... for a key of several columns). -#}
        {% set new_columns = [] %}
        {% for column in adapter.get_missing_columns(staging, target_relation)
            if not is_snapshot_staging_column(column.name) %}
            {% do new_columns.append(column) %}
        {% endfor %}
        {% do create_columns(target_relation, new_columns) %}
        {% set column_names = [] %}
        {% for column in adapter.get_columns_in_relation(target_relation)
            if not is_snapshot_staging_column(column.name) %}
            {% do column_names.append(column.name) %}
        {% endfor %}
        {% if file_format in ['delta', 'iceberg', 'hudi'] %}
            {% set quoted = [] %}
            {% for name in column_names %}{% do quoted.append(adapter.quote(name)) %}{% endfor %}
            {% set final_sql = snapshot_merge_sql(
                target=target_relation, source=staging, insert_cols=quoted) %}
        {% else %}
            {% set final_sql = snapshot_rewrite_sql(
                target_relation, staging, column_names, columns) %}
        {% endif %}
    {% endif %}

    {% call statement('main') %}
        {{ final_sql }}
    {% endcall %}

    {% do apply_grants(target_relation, grant_config,
        should_revoke(target_exists, full_refresh_mode)) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {% if staging is defined %}
        {% do adapter.drop_relation(staging) %}
        {% do adapter.drop_relation(spark_rewrite_relation(target_relation)) %}
    {% endif %}
    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{% macro is_snapshot_staging_column(name) %}
    {{ return(name | lower == 'dbt_change_type' or (name | lower).startswith('dbt_unique_key')) }}
{% endmacro %}


{#- Writes the snapshot's next version (spark_stage_rewrite) and returns the statement that
    replaces the snapshot with it. -#}
{% macro snapshot_rewrite_sql(target_relation, staging, column_names, columns) %}
    {% set valid_to = columns.dbt_valid_to %}
    {% set scd_id = columns.dbt_scd_id %}
    {% set kept = [] %}
    {% set inserted = [] %}
    {% for name in column_names %}
        {% if name == valid_to %}
            {% do kept.append("coalesce(closing." ~ valid_to ~ ", history." ~ valid_to ~ ") as "
                ~ valid_to) %}
        {% else %}
            {% do kept.append("history." ~ adapter.quote(name)) %}
        {% endif %}
        {% do inserted.append("staged." ~ adapter.quote(name)) %}
    {% endfor %}
    {{ return(spark_stage_rewrite(target_relation,
        "select " ~ kept | join(", ") ~ " from " ~ target_relation ~ " as history"
        ~ " left join (select " ~ scd_id ~ ", " ~ valid_to ~ " from " ~ staging
        ~ " where dbt_change_type in ('update', 'delete')) as closing"
        ~ " on history." ~ scd_id ~ " = closing." ~ scd_id ~ " and history." ~ valid_to
        ~ " is null"
        ~ " union all select " ~ inserted | join(", ") ~ " from " ~ staging ~ " as staged"
        ~ " left anti join " ~ target_relation ~ " as present on staged." ~ scd_id
        ~ " = present." ~ scd_id ~ " where staged.dbt_change_type = 'insert'"
    )) }}
{% endmacro %}
