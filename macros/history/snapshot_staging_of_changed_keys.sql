{#-
  dbt's snapshot staging query joins the whole source to every current history row four
  times (insertions, updates, closed rows, deletion records). Daily, almost every key is
  unchanged: at 100M order lines that was 44M x 44M rows four times for a few thousand
  changes, the largest cost of the scheduled run. Here one lean full outer join (keys and
  the compared columns only) finds every key any of the four could touch: new in the
  source, gone from it, changed by the strategy's own row_changed test, or current as a
  deletion record. dbt's own staging query then runs on those keys' source and history
  rows, so the rows it stages, and their semantics, are dbt's: its four joins are per key,
  and every other key stages nothing.
-#}
{% macro duckdb__snapshot_staging_table(strategy, source_sql, target_relation) -%}
    {%- set columns = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
    {%- if not project_var('history_stage_changed_keys_only')
        or config.get('dbt_valid_to_current') -%}
        {#- With dbt_valid_to_current the current rows are found by a value, not by NULL:
            dbt's query as it ships. -#}
        {{ return(dbt.default__snapshot_staging_table(strategy, source_sql, target_relation)) }}
    {%- endif -%}
    {%- set key_expressions = strategy.unique_key if strategy.unique_key | is_list
        else [strategy.unique_key] -%}
    {#- The names unique_key_fields gives the keys. -#}
    {%- set key_names = [] -%}
    {%- for key in key_expressions -%}
        {%- do key_names.append('dbt_unique_key_' ~ loop.index
            if strategy.unique_key | is_list else 'dbt_unique_key') -%}
    {%- endfor -%}
    {%- set keys_to_stage = target_relation.identifier ~ '__keys_to_stage' -%}
    {%- set source_rows = target_relation.identifier ~ '__source_rows_to_stage' -%}
    {%- set history_rows = target_relation.identifier ~ '__history_rows_to_stage' -%}

    {%- call statement('snapshot_keys_to_stage') -%}
        create or replace temporary table {{ keys_to_stage }} as
        select
            {%- for name in key_names %}
            coalesce(source_data.{{ name }}, snapshotted_data.{{ name }}) as {{ name }}
            {%- if not loop.last %},{% endif %}
            {%- endfor %}
        from (
            select *, {{ unique_key_fields(strategy.unique_key) }}
            from ({{ source_sql }}) as snapshot_source
        ) as source_data
        full outer join (
            select *, {{ unique_key_fields(strategy.unique_key) }}
            from {{ target_relation }}
            where {{ columns.dbt_valid_to }} is null
        ) as snapshotted_data
            on {{ unique_key_join_on(strategy.unique_key, "snapshotted_data", "source_data") }}
        where {{ unique_key_is_null(strategy.unique_key, "snapshotted_data") }}
            or {{ unique_key_is_null(strategy.unique_key, "source_data") }}
            or ({{ strategy.row_changed }})
            {%- if strategy.hard_deletes == 'new_record' %}
            or snapshotted_data.{{ columns.dbt_is_deleted }} = 'True'
            {%- endif %}
    {%- endcall -%}

    {%- call statement('snapshot_source_rows_to_stage') -%}
        create or replace temporary table {{ source_rows }} as
        select * from ({{ source_sql }}) as snapshot_source
        where {{ _has_key_to_stage(keys_to_stage, key_names, key_expressions) }}
    {%- endcall -%}
    {%- call statement('snapshot_history_rows_to_stage') -%}
        create or replace temporary table {{ history_rows }} as
        select * from {{ target_relation }}
        where {{ columns.dbt_valid_to }} is null
            and {{ _has_key_to_stage(keys_to_stage, key_names, key_expressions) }}
    {%- endcall -%}

    {%- set staged_history = api.Relation.create(
        database='temp', schema='main', identifier=history_rows, type='table') -%}
    {{ return(dbt.default__snapshot_staging_table(
        strategy, 'select * from ' ~ source_rows, staged_history)) }}
{%- endmacro %}

{% macro _has_key_to_stage(keys_to_stage, key_names, key_expressions) -%}
    exists (
        select 1 from {{ keys_to_stage }}
        where
        {%- for name in key_names %}
            {{ keys_to_stage }}.{{ name }} is not distinct from {{ key_expressions[loop.index0] }}
            {%- if not loop.last %} and{% endif %}
        {%- endfor %}
    )
{%- endmacro %}
