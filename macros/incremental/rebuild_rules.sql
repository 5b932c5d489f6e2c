{#- When a changed-keys model rebuilds from scratch instead of key by key. -#}

{#- dbt's own rule (the --full-refresh flag or the model's full_refresh config), plus, for
    models using the changed_keys strategy, `change_inputs_were_rebuilt()`. Overrides
    dbt's macro of this name (is_incremental() asks it). -#}
{% macro should_full_refresh() %}
    {% set configured = config.get('full_refresh') %}
    {% if configured is none %}{% set configured = flags.FULL_REFRESH %}{% endif %}
    {% if configured or config.get('incremental_strategy') != 'changed_keys' %}
        {{ return(configured) }}
    {% endif %}
    {{ return(change_inputs_were_rebuilt()) }}
{% endmacro %}


{#- Key-by-key updates assume raw files are only ever added and inputs only updated. The
    model rebuilds from scratch when either fails:
    - a raw file it read was since edited or removed (it holds rows whose landing time no
      current file has): rows of the old file must disappear, and no key knows them;
    - an input it reads changes of (`refreshed_in`, or a rule's `rebuilt_with`) was
      rebuilt from scratch (or emptied) since the model last ran: it holds no row
      refreshed before then, so deleted keys cannot be told apart. This is how a
      rebuild travels down the DAG.
    - a rule's `rebuilt_when` macro (a query of one boolean) says its input was rebuilt:
      for inputs that carry no refreshed_at, such as the segment history snapshot.
    Read-only queries; logs the reason. -#}
{% macro change_inputs_were_rebuilt() %}
    {% if not execute %}{{ return(false) }}{% endif %}
    {#- is_incremental() asks several times while one model renders: answer (and log)
        once per render. -#}
    {% if '_changed_keys_rebuild' in model %}{{ return(model['_changed_keys_rebuild']) }}{% endif %}
    {% set verdict = changed_keys_rebuild_reason() %}
    {% if verdict %}
        {{ log(this.identifier ~ " rebuilds from scratch: " ~ verdict ~ ".", info=true) }}
    {% endif %}
    {% do model.update({'_changed_keys_rebuild': verdict is not none}) %}
    {{ return(verdict is not none) }}
{% endmacro %}


{#- Why the model must rebuild from scratch (see change_inputs_were_rebuilt), or none. -#}
{% macro changed_keys_rebuild_reason() %}
    {% set existing = adapter.get_relation(this.database, this.schema, this.identifier) %}
    {% if existing is none %}{{ return(none) }}{% endif %}
    {% set checks = [] %}
    {% set raw_table = reads_raw_table() %}
    {% if raw_table %}
        {% do checks.append((
            "raw files of " ~ raw_table ~ " were edited or removed since they were read",
            "select count(*) > 0 from (select distinct _loaded_at from " ~ this
            ~ " where _loaded_at is not null) as read_before where _loaded_at not in ("
            ~ adapter.dispatch('raw_landing_times', 'customer_segments')(raw_table) ~ ")"
        )) %}
    {% endif %}
    {% for input in config.get('change_inputs') or [] if 'rebuilt_when' in input %}
        {% do checks.append((
            input['rebuilt_when'] | replace('_', ' '),
            context[input['rebuilt_when']]()
        )) %}
    {% endfor %}
    {% set upstream_models = [] %}
    {% for input in config.get('change_inputs') or [] %}
        {% for name in [input.get('refreshed_in')] + input.get('rebuilt_with', [])
            if name and name not in upstream_models %}
            {% do upstream_models.append(name) %}
        {% endfor %}
    {% endfor %}
    {% for upstream in upstream_models %}
        {% do checks.append((
            upstream ~ " was rebuilt since this model last ran",
            "select coalesce(min(upstream.refreshed_at) > max(held.watermark), true)"
            ~ " from (select max(refreshed_at) as watermark from " ~ this ~ ") as held"
            ~ " left join " ~ ref(upstream) ~ " as upstream on true"
            ~ " where held.watermark is not null"
        )) %}
    {% endfor %}
    {% for reason, check_sql in checks %}
        {% set result = run_query(check_sql) %}
        {% if result.rows | length > 0 and result.rows[0][0] %}
            {{ return(reason) }}
        {% endif %}
    {% endfor %}
    {{ return(none) }}
{% endmacro %}


{#- The distinct landing times of a raw table's current rows. -#}
{% macro default__raw_landing_times(table_name) %}
    select distinct _loaded_at from {{ source('shop', table_name) }}
{% endmacro %}

{#- DuckDB: from the file listing, without reading the files. -#}
{% macro duckdb__raw_landing_times(table_name) %}
    select _loaded_at from {{ raw_files_relation(table_name) }}
{% endmacro %}
