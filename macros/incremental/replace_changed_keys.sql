{#-
  Incremental processing. A daily run re-reads only the raw files that landed since a
  model's watermark (minus `incremental_lookback_days`), works out which keys those rows
  and the upstream models' changes touch, and rewrites exactly those keys: every row of a
  changed key is recomputed from all of its inputs, so an incremental run and a
  `--full-refresh` give the same rows.

  The pieces:
  - `refreshed_at`: every row of an incremental model carries the start of the run that
    last wrote it; a downstream model's watermark is its own latest `refreshed_at`, and
    upstream rows refreshed after it are its changes.
  - `stage_changed_keys`: during the run, writes the keys a model will rewrite to a
    side table (`<model>__changed_keys`), which the model reads and the
    `replace_changed_keys` strategy deletes by, so a key whose rows all disappear (an
    order that is now quarantined) leaves the model too.
  - `get_incremental_replace_changed_keys_sql`: deletes the changed keys, inserts the
    recomputed rows.
-#}

{#- The start of this run: what every row written by it carries in refreshed_at. -#}
{% macro run_refreshed_at() %}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{% endmacro %}


{#- A one-value query against the model's current table, run only when the model is being
    built incrementally. Returns the value as a SQL literal ('null' when empty). -#}
{% macro incremental_state_literal(expression, data_type='timestamp') %}
    {% if not (execute and is_incremental()) %}
        {{ return('null') }}
    {% endif %}
    {% set value = run_query("select " ~ expression ~ " from " ~ this).rows[0][0] %}
    {% if value is none %}
        {{ return('cast(null as ' ~ data_type ~ ')') }}
    {% endif %}
    {{ return("cast('" ~ value ~ "' as " ~ data_type ~ ")") }}
{% endmacro %}


{#- This model's watermark: the latest refreshed_at it holds. Upstream rows refreshed
    after it are what changed since the model last ran. -#}
{% macro refreshed_watermark() %}
    {{ return(incremental_state_literal('max(refreshed_at)')) }}
{% endmacro %}


{#- The `key_column` of every row an upstream incremental model rewrote after `watermark`
    (this model's own, by default). -#}
{% macro keys_refreshed_since(upstream, key_column, watermark=none) %}
    select {{ key_column }} from {{ upstream }}
    where refreshed_at > {{ watermark or refreshed_watermark() }}
{% endmacro %}


{#- Raw rows that landed after this moment are re-read: the latest _loaded_at the model
    holds, minus the lookback window for files that land late (or carry an older time). -#}
{% macro raw_reread_cutoff() %}
    {#- An empty model reads everything. -#}
    {{ return(incremental_state_literal(
        "coalesce(max(_loaded_at) - interval '" ~ (project_var('incremental_lookback_days') | int)
        ~ " days', cast('0001-01-01' as timestamp))"
    )) }}
{% endmacro %}


{#- The raw rows of one table that landed after `cutoff`. -#}
{% macro select_raw_rows_loaded_since(table_name, raw_columns, cutoff) %}
    {{ select_raw_rows(table_name, raw_columns) }}
    where {{ adapter.dispatch('raw_rows_loaded_since', 'customer_segments')(table_name, cutoff) }}
{% endmacro %}

{% macro default__raw_rows_loaded_since(table_name, cutoff) %}
    _loaded_at > {{ cutoff }}
{% endmacro %}

{#- DuckDB reads files: naming them lets the reader skip every other file unopened. -#}
{% macro duckdb__raw_rows_loaded_since(table_name, cutoff) %}
    {% if not execute %}{{ return('1 = 0') }}{% endif %}
    {% set files = run_query(
        "select _source_file from " ~ raw_files_relation(table_name)
        ~ " where _loaded_at > " ~ cutoff ~ " order by 1"
    ).columns[0].values() %}
    {% if files | length == 0 %}{{ return('1 = 0') }}{% endif %}
    {% set quoted = [] %}
    {% for file in files %}{% do quoted.append(sql_string(file)) %}{% endfor %}
    _source_file in ({{ quoted | join(', ') }})
{% endmacro %}


{#- The side table holding the keys this run rewrites. -#}
{% macro changed_keys_relation(relation=none) %}
    {% set relation = relation or this %}
    {{ return(relation.incorporate(path={'identifier': relation.identifier ~ '__changed_keys'})) }}
{% endmacro %}


{#- Writes the distinct non-null `key_column` values of `keys_sql` (and, for base models,
    the raw re-read cutoff) to the side table. Only runs while building incrementally. -#}
{% macro stage_changed_keys(key_column, keys_sql, reread_cutoff='null') %}
    {% if not (execute and is_incremental()) %}{{ return('') }}{% endif %}
    {% set relation = changed_keys_relation() %}
    {% set cutoff = "cast(" ~ reread_cutoff ~ " as " ~ dbt.type_timestamp() ~ ")" %}
    {#- One keyless row carries the cutoff even when no key changed. -#}
    {% do run_query(
        "create or replace table " ~ relation ~ " as select distinct " ~ key_column
        ~ ", " ~ cutoff ~ " as reread_loaded_since"
        ~ " from (" ~ keys_sql ~ ") as changed where " ~ key_column ~ " is not null"
        ~ " union all select null, " ~ cutoff
    ) %}
{% endmacro %}


{#- Whether any of the staged keys has rows in the model that landed by `cutoff`:
    only then must older raw rows be read again to re-rank versions. -#}
{% macro changed_keys_have_older_rows(key_column, cutoff) %}
    {% if not (execute and is_incremental()) %}{{ return(false) }}{% endif %}
    {% set found = run_query(
        "select count(*) from " ~ this ~ " where _loaded_at <= " ~ cutoff
        ~ " and " ~ key_column ~ " in (select " ~ key_column ~ " from "
        ~ changed_keys_relation() ~ ")"
    ).rows[0][0] %}
    {{ return(found > 0) }}
{% endmacro %}


{#- The strategy: delete every staged key (and, with `rereads_raw_files`, every keyless
    row that landed since the re-read cutoff: those rows were read again), insert the
    recomputed rows. -#}
{% macro get_incremental_replace_changed_keys_sql(arg_dict) %}
    {% set target = arg_dict['target_relation'] %}
    {% set key = arg_dict['unique_key'] %}
    {% set changed = changed_keys_relation(target) %}
    {% set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) %}
    delete from {{ target }}
    where
        {{ key }} in (select {{ key }} from {{ changed }})
        {% if config.get('rereads_raw_files') %}
            or (
                {{ key }} is null
                and _loaded_at > (select max(reread_loaded_since) from {{ changed }})
            )
        {% endif %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }};

    drop table if exists {{ changed }}
{% endmacro %}


{#- The raw rows a base_shop__<table>_checked model types and checks. A full build: every
    raw row. An incremental build: the rows that landed since the re-read cutoff, plus
    every earlier row of the keys those rows (or `rechecked_keys_sql`) touch, so versions
    are ranked against all of their siblings exactly as a full build ranks them. Stages
    the changed keys for the replace_changed_keys strategy. -#}
{% macro checked_source_rows(table_name, raw_columns, key_column, rechecked_keys_sql=none) %}
    {% if not is_incremental() %}
        {{ return(select_raw_rows(table_name, raw_columns)) }}
    {% endif %}
    {% set cutoff = raw_reread_cutoff() %}
    {% set new_rows_sql = select_raw_rows_loaded_since(table_name, raw_columns, cutoff) %}
    {% set raw_key = clean_id('raw_' ~ key_column) if key_column.endswith('_id')
        else clean_text('raw_' ~ key_column) %}
    {% set keys_sql = "select " ~ raw_key ~ " as " ~ key_column
        ~ " from (" ~ new_rows_sql ~ ") as new_rows" %}
    {% if rechecked_keys_sql %}
        {% set keys_sql = keys_sql ~ " union all " ~ rechecked_keys_sql %}
    {% endif %}
    {% do stage_changed_keys(key_column, keys_sql, cutoff) %}
    {% if not changed_keys_have_older_rows(key_column, cutoff) %}
        {{ return(new_rows_sql) }}
    {% endif %}
    {{ return(
        new_rows_sql ~ " union all select * from ("
        ~ select_raw_rows(table_name, raw_columns) ~ ") as landed_earlier where _loaded_at <= "
        ~ cutoff ~ " and " ~ raw_key ~ " in (select " ~ key_column ~ " from "
        ~ changed_keys_relation() ~ ")"
    ) }}
{% endmacro %}


{#- Customers whose orders changed since `watermark`: every customer on any version of a
    rechecked order (so the customer an order moved away from, or that lost a quarantined
    order, is included), the customers of recomputed orders, and, when the as-of date
    moves back, those with orders after it. Customer-level incremental models recompute
    these customers. The relations: base_shop__orders_checked, fct_orders,
    stg_shop__orders, int_reporting_period. -#}
{% macro customers_with_changed_orders_sql(
    watermark, checked_orders, orders, accepted_orders, reporting_period
) %}
    {{ keys_refreshed_since(checked_orders, 'customer_id', watermark) }}
    union all
    {{ keys_refreshed_since(orders, 'customer_id', watermark) }}
    union all
    select accepted_orders.customer_id
    from {{ accepted_orders }} as accepted_orders
    cross join {{ reporting_period }} as reporting_period
    where accepted_orders.order_date > reporting_period.as_of_date
{% endmacro %}


{#- dbt's own rule (the --full-refresh flag or the model's full_refresh config), plus: the
    changed-key models rebuild from scratch when a raw file they read was edited or
    removed (see record_rewritten_raw_files). Overrides dbt's macro of this name. -#}
{% macro should_full_refresh() %}
    {% set configured = config.get('full_refresh') %}
    {% if configured is none %}{% set configured = flags.FULL_REFRESH %}{% endif %}
    {% if configured or config.get('incremental_strategy') != 'replace_changed_keys' %}
        {{ return(configured) }}
    {% endif %}
    {{ return(raw_files_rewritten()) }}
{% endmacro %}


{% macro raw_files_rewritten() %}
    {% if not execute %}{{ return(false) }}{% endif %}
    {% set marker = adapter.get_relation(
        database=target.database, schema=project_var('raw_schema'), identifier='_raw_files_rewritten'
    ) %}
    {% if marker is none %}{{ return(false) }}{% endif %}
    {{ return(run_query("select is_rewritten from " ~ marker).rows[0][0]) }}
{% endmacro %}
