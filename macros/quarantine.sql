{#- Shared pieces of the base_shop__*_checked models, which type one raw table and give
    every row a quarantine reason. -#}

{#- The raw table's contract columns renamed raw_<column>, plus _loaded_at and
    _extra_fields (the values of a CSV row beyond its header's columns, NULL when none:
    such a row is quarantined as too_many_fields). -#}
{% macro select_raw_rows(table_name, raw_columns) %}
    select
        {%- for column in raw_columns %}
            {{ column }} as raw_{{ column }},
        {%- endfor %}
        {{ raw_extra_fields_column() }} as _extra_fields,
        _loaded_at
    from {{ source('shop', table_name) }}
{% endmacro %}


{#- Only the DuckDB file reader sees rows longer than their header; tables you load
    yourself have no such rows. -#}
{% macro raw_extra_fields_column() %}
    {{ return(adapter.dispatch('raw_extra_fields_column', 'customer_segments')()) }}
{% endmacro %}

{% macro default__raw_extra_fields_column() %}
    cast(null as {{ dbt.type_string() }})
{% endmacro %}

{% macro duckdb__raw_extra_fields_column() %}
    _extra_fields
{% endmacro %}


{#- The quarantine columns: the reason, and the raw values (only for quarantined rows,
    so clean rows pay nothing for the JSON). Expects `rejection_reason` and the raw_
    columns in scope. -#}
{% macro quarantine_columns(raw_columns) %}
    rejection_reason,
    case
        when rejection_reason is not null
            then {{ json_object_of(raw_columns, prefix='raw_') }}
    end as raw_record
{% endmacro %}
