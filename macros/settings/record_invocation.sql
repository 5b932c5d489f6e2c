{#- Records in the DuckDB work file which dbt invocation wrote it last (on-run-start of
    every command that writes). `customer-segments publish` publishes a build only when
    the run_results.json it is given comes from that invocation: a build killed before
    writing its results, or the results of a build of another file, never approve what is
    in this file. A no-op elsewhere (no publication there) and while compiling. -#}
{% macro record_invocation() %}
    {% if writes_to_warehouse() %}
        {% do adapter.dispatch('record_invocation', 'customer_segments')() %}
    {% endif %}
    select 1 as invocation_recorded
{% endmacro %}

{% macro default__record_invocation() %}{% endmacro %}

{% macro duckdb__record_invocation() %}
    {% do run_query("create schema if not exists dbt_state") %}
    {% do run_query(
        "create or replace table dbt_state.last_invocation as select '" ~ invocation_id
        ~ "' as invocation_id, '" ~ flags.WHICH ~ "' as command, cast('"
        ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp) as started_at"
    ) %}
{% endmacro %}
