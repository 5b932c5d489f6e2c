{#- The `replace_all_rows` incremental strategy: the model's new rows replace all of its
    rows. For a model that must read its own previous rows (is_incremental() and `this`)
    to compute the new ones, as int_clv_fits keeps parameters between refits; a full
    refresh then starts it from nothing. -#}
{% macro get_incremental_replace_all_rows_sql(arg_dict) %}
    {% set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) %}
    delete from {{ arg_dict['target_relation'] }};

    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}
