{#- Spark's plain Parquet tables have no DELETE, UPDATE or MERGE, and Spark cannot
    overwrite a table while reading it: a table is changed by writing its next version to
    `<table>__rewrite` and overwriting the table from there. The changed_keys strategy,
    the snapshot materialization and the history's deletion stamping all go this way. -#}

{% macro spark_rewrite_relation(relation) %}
    {{ return(relation.incorporate(path={'identifier': relation.identifier ~ '__rewrite'})) }}
{% endmacro %}


{#- Writes `select_sql` (the table's next version, same columns in the same order) to the
    rewrite table and returns the statement that overwrites `relation` with it. Whoever
    runs that statement drops the rewrite table afterwards. -#}
{% macro spark_stage_rewrite(relation, select_sql) %}
    {% set rewrite = spark_rewrite_relation(relation) %}
    {% do run_query("drop table if exists " ~ rewrite) %}
    {% do run_query("create table " ~ rewrite ~ " using parquet as " ~ select_sql) %}
    {{ return("insert overwrite table " ~ relation ~ " select * from " ~ rewrite) }}
{% endmacro %}
