{#-
  The `changed_keys` incremental strategy. A model declares its key and the inputs whose
  changes touch it:

      config(
          materialized='incremental',
          incremental_strategy='changed_keys',
          unique_key='order_id',
          change_inputs=[
              {'raw_table': 'orders'},
              {'refreshed_in': 'base_shop__refunds_checked'},
              {'held_where': "rejection_reason = 'future_order'"},
              {'rule': 'orders_the_as_of_date_moved_past'},
          ],
      )

  Entries: `raw_table` (keys of the raw rows that landed since the model last read that
  table); `refreshed_in` (keys of the rows that model rewrote since this one last ran:
  its `key` column, default the unique key; with `via`, this model's rows whose `via`
  column matches; with `through`, mapped to this model's key by that model);
  `held_where` (this model's own rows matching a condition: rows waiting for a recheck);
  `rule` (a named macro of change_rules.sql; `rebuilt_with` lists the incremental models
  it reads, so their rebuilds rebuild this model too; `rebuilt_when` names a macro whose
  one-boolean query says the input it reads was rebuilt, for inputs without refreshed_at). The model filters what it reads to
  `changed_keys_relation()`. A run then:
  1. (pre-hook `stage_changed_keys`, at run time only) writes the keys its inputs changed
     since the model's watermark to a temporary table;
  2. builds the model's rows for those keys (dbt's incremental materialization);
  3. deletes those keys from the model and inserts the rows (`get_incremental_changed_keys_sql`),
     so a key whose rows all disappear (an order now quarantined) leaves the model too.
  Every row of a changed key is recomputed from all of its inputs: an incremental run and
  a `--full-refresh` give the same rows. Compiling (`dbt compile`, `dbt docs generate`)
  runs read-only queries at most and writes nothing.
-#}


{#- The temporary table holding the keys this run rewrites. Temporary tables live with the
    connection, so an interrupted run leaves nothing behind. -#}
{% macro changed_keys_relation() %}
    {{ return(adapter.quote(this.identifier ~ '__changed_keys')) }}
{% endmacro %}


{#- One query over the model's `change_inputs`: the `unique_key` of every row the inputs
    changed since the model's watermark. -#}
{% macro changed_keys_sql() %}
    {% set key = config.require('unique_key') %}
    {% set watermark = refreshed_watermark() %}
    {% set queries = [] %}
    {% for input in config.require('change_inputs') %}
        {% if 'raw_table' in input %}
            {% do queries.append(keys_in_new_raw_rows(input['raw_table'], key)) %}
        {% elif 'refreshed_in' in input and 'through' in input %}
            {% do queries.append(
                "select " ~ key ~ " from " ~ ref(input['through']) ~ " where " ~ input['key']
                ~ " in (" ~ keys_refreshed_since(ref(input['refreshed_in']), input['key'], watermark)
                ~ ")"
            ) %}
        {% elif 'refreshed_in' in input and 'via' in input %}
            {% do queries.append(
                "select " ~ key ~ " from " ~ this ~ " where " ~ input['via'] ~ " in ("
                ~ keys_refreshed_since(ref(input['refreshed_in']), input['via'], watermark) ~ ")"
            ) %}
        {% elif 'refreshed_in' in input %}
            {% do queries.append(
                "select " ~ input.get('key', key) ~ " as " ~ key ~ " from ("
                ~ keys_refreshed_since(ref(input['refreshed_in']), input.get('key', key), watermark)
                ~ ") as refreshed"
            ) %}
        {% elif 'held_where' in input %}
            {% do queries.append(
                "select " ~ key ~ " from " ~ this ~ " where " ~ input['held_where']
            ) %}
        {% elif 'rule' in input %}
            {% set rule = context.get(input['rule']) %}
            {% if rule is none %}
                {{ exceptions.raise_compiler_error(
                    "change_inputs of " ~ this ~ ": no macro named '" ~ input['rule']
                    ~ "' (rules live in macros/incremental/change_rules.sql)."
                ) }}
            {% endif %}
            {% do queries.append(rule(watermark)) %}
        {% else %}
            {{ exceptions.raise_compiler_error(
                "change_inputs of " ~ this ~ ": unknown entry " ~ input
                ~ " (expected raw_table, refreshed_in [key, via | through], held_where or rule)."
            ) }}
        {% endif %}
    {% endfor %}
    {{ return(queries | join("\nunion all\n")) }}
{% endmacro %}


{#- Pre-hook of every model (dbt_project.yml); does something only for a model using this
    strategy and building incrementally. Returns the statement creating the keys table:
    distinct non-null keys, and one keyless row carrying the raw re-read cutoff (when the
    model reads raw files) even when no key changed. -#}
{% macro stage_changed_keys() %}
    {% if not (execute and config.get('incremental_strategy') == 'changed_keys'
        and is_incremental()) %}
        {{ return('') }}
    {% endif %}
    {% set key = config.require('unique_key') %}
    {% set cutoff = "cast(" ~ (raw_reread_cutoff() if reads_raw_table() else 'null')
        ~ " as " ~ dbt.type_timestamp() ~ ")" %}
    {% set keys_sql %}
        select distinct {{ key }}, {{ cutoff }} as reread_loaded_since
        from ({{ changed_keys_sql() }}) as changed
        where {{ key }} is not null
        union all
        select null, {{ cutoff }}
    {% endset %}
    {{ return(adapter.dispatch('create_temporary_table_as', 'customer_segments')(
        changed_keys_relation(), keys_sql
    )) }}
{% endmacro %}

{% macro default__create_temporary_table_as(relation, sql) %}
    create temporary table {{ relation }} as {{ sql }}
{% endmacro %}

{% macro duckdb__create_temporary_table_as(relation, sql) %}
    create or replace temporary table {{ relation }} as {{ sql }}
{% endmacro %}

{#- Spark has no temporary tables; a session's temporary view is read only by the one
    statement that rewrites the model (spark_changed_keys.sql). -#}
{% macro spark__create_temporary_table_as(relation, sql) %}
    create or replace temporary view {{ relation }} as {{ sql }}
{% endmacro %}


{#- The raw table this model reads new rows of (its `raw_table` change input), or none. -#}
{% macro reads_raw_table() %}
    {% for input in config.get('change_inputs') or [] if 'raw_table' in input %}
        {{ return(input['raw_table']) }}
    {% endfor %}
    {{ return(none) }}
{% endmacro %}


{#- The strategy: delete every staged key (and, for a model reading raw rows, every keyless
    row that landed since the re-read cutoff: those rows were read again), insert the
    recomputed rows, drop the keys table. -#}
{% macro get_incremental_changed_keys_sql(arg_dict) %}
    {% set target = arg_dict['target_relation'] %}
    {% set key = arg_dict['unique_key'] %}
    {% set changed = changed_keys_relation() %}
    {% set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) %}
    delete from {{ target }}
    where
        {{ key }} in (select {{ key }} from {{ changed }})
        {% if reads_raw_table() %}
            or (
                {{ key }} is null
                and _loaded_at > (select max(reread_loaded_since) from {{ changed }})
            )
        {% endif %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }};

    drop table if exists {{ changed }}
{% endmacro %}
