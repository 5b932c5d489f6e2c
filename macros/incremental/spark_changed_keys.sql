{#- The changed_keys strategy on Spark's plain Parquet tables, which have no DELETE or
    MERGE (those need Delta Lake, Iceberg or Hudi): the table is rewritten as its rows of
    unchanged keys plus the recomputed rows (spark_stage_rewrite). Same rows as the delete + insert of
    other engines. With file_format delta a model could merge instead; the rewrite works
    everywhere. -#}

{#- dbt-spark accepts only its own strategies: changed_keys too. -#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {% if raw_strategy == 'changed_keys' %}{{ return(raw_strategy) }}{% endif %}
    {{ return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{% endmacro %}


{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) %}
    {% if strategy != 'changed_keys' %}
        {{ return(dbt.dbt_spark_get_incremental_sql(
            strategy, source, target, existing, unique_key, incremental_predicates)) }}
    {% endif %}
    {% set changed = changed_keys_relation() %}
    {% set column_names = adapter.get_columns_in_relation(target) | map(attribute='name') | list %}
    {% set columns = columns_of(none, column_names) %}
    {#- An anti join, not `not in`: Spark runs a null-aware NOT IN as a nested loop. -#}
    {% set kept_rows %}
        select {{ columns_of('kept', column_names) }}
        from {{ target }} as kept
        left anti join (
            select distinct {{ unique_key }} from {{ changed }} where {{ unique_key }} is not null
        ) as changed_key
            on kept.{{ unique_key }} = changed_key.{{ unique_key }}
        {% if reads_raw_table() %}
            where not coalesce(
                kept.{{ unique_key }} is null
                and kept._loaded_at > (select max(reread_loaded_since) from {{ changed }}),
                false
            )
        {% endif %}
    {% endset %}
    {{ spark_stage_rewrite(target, kept_rows ~ " union all select " ~ columns ~ " from " ~ source) }}
{% endmacro %}


{#- `alias.column, ...` (or bare quoted names without an alias). -#}
{% macro columns_of(alias, column_names) %}
    {% set quoted = [] %}
    {% for name in column_names %}
        {% do quoted.append((alias ~ "." if alias else "") ~ adapter.quote(name)) %}
    {% endfor %}
    {{ return(quoted | join(", ")) }}
{% endmacro %}


{#- Post-hook of every model (dbt_project.yml): drops the Spark rewrite table once the
    model holds its rows. A no-op elsewhere. -#}
{% macro drop_changed_keys_rewrite() %}
    {% if execute and target.type == 'spark'
        and config.get('incremental_strategy') == 'changed_keys' %}
        {{ return("drop table if exists " ~ spark_rewrite_relation(this)) }}
    {% endif %}
    {{ return('') }}
{% endmacro %}


{#- For a model whose run replaces the rows of one key value (fct_top_customer_threshold:
    one as-of date), the strategy and partitioning that do it: delete + insert where the
    engine can delete; on Spark's Parquet tables, partitions by the key, each run
    overwriting only its own partition. -#}
{% macro key_replacing_strategy() %}
    {{ return(adapter.dispatch('key_replacing_strategy', 'customer_segments')()) }}
{% endmacro %}

{% macro default__key_replacing_strategy() %}{{ return('delete+insert') }}{% endmacro %}

{% macro spark__key_replacing_strategy() %}{{ return('insert_overwrite') }}{% endmacro %}

{% macro key_replacing_partitions(key) %}
    {{ return(adapter.dispatch('key_replacing_partitions', 'customer_segments')(key)) }}
{% endmacro %}

{% macro default__key_replacing_partitions(key) %}{{ return(none) }}{% endmacro %}

{% macro spark__key_replacing_partitions(key) %}{{ return([key]) }}{% endmacro %}
