{#- What an incremental model knows about its last run: every row carries the start of the
    run that last wrote it (`refreshed_at`); the model's watermark is its latest one, and
    upstream rows refreshed after it are its changes. All read-only. -#}

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


{#- This model's watermark: the latest refreshed_at it holds. -#}
{% macro refreshed_watermark() %}
    {{ return(incremental_state_literal('max(refreshed_at)')) }}
{% endmacro %}


{#- The `key_column` of every row an upstream incremental model rewrote after `watermark`. -#}
{% macro keys_refreshed_since(upstream, key_column, watermark) %}
    select {{ key_column }} from {{ upstream }}
    where refreshed_at > {{ watermark }}
{% endmacro %}
