{#- Reading only the raw rows that landed since a base model last ran, and the older rows
    of the keys they touch. All read-only: the keys are recomputed by query, never staged,
    while the model compiles. -#}

{#- Raw rows that landed after this moment are re-read: the latest _loaded_at the model
    holds, minus the lookback window for files that land late (or carry an older time).
    An empty model reads everything. -#}
{% macro raw_reread_cutoff() %}
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


{#- The raw key as the base model will parse it. -#}
{% macro parsed_raw_key(key_column) %}
    {{ return(clean_id('raw_' ~ key_column) if key_column.endswith('_id')
        else clean_text('raw_' ~ key_column)) }}
{% endmacro %}


{#- The `key_column` of the raw rows of `table_name` that landed since the re-read cutoff
    (a `raw_table` change input). -#}
{% macro keys_in_new_raw_rows(table_name, key_column) %}
    select {{ parsed_raw_key(key_column) }} as {{ key_column }}
    from ({{ select_raw_rows_loaded_since(table_name, [key_column], raw_reread_cutoff()) }})
        as new_rows
{% endmacro %}


{#- The raw rows a base_shop__<table>_checked model types and checks. A full build: every
    raw row. An incremental build: the rows that landed since the re-read cutoff, plus
    every earlier row of the changed keys, so versions are ranked against all of their
    siblings exactly as a full build ranks them. Older rows are read only when some
    changed key has them (a read-only check while compiling). -#}
{% macro checked_source_rows(table_name, raw_columns, key_column) %}
    {% if not is_incremental() %}
        {{ return(select_raw_rows(table_name, raw_columns)) }}
    {% endif %}
    {% set cutoff = raw_reread_cutoff() %}
    {% set new_rows_sql = select_raw_rows_loaded_since(table_name, raw_columns, cutoff) %}
    {% set older_rows_held = run_query(
        "select count(*) from " ~ this ~ " where _loaded_at <= " ~ cutoff
        ~ " and " ~ key_column ~ " in (" ~ changed_keys_sql() ~ ")"
    ).rows[0][0] %}
    {% if older_rows_held == 0 %}
        {{ return(new_rows_sql) }}
    {% endif %}
    {{ return(
        new_rows_sql ~ " union all select * from ("
        ~ select_raw_rows(table_name, raw_columns) ~ ") as landed_earlier where _loaded_at <= "
        ~ cutoff ~ " and " ~ parsed_raw_key(key_column) ~ " in (select " ~ key_column
        ~ " from " ~ changed_keys_relation() ~ ")"
    ) }}
{% endmacro %}
