{#- Keeping the segment history snapshot (history.customer_segment_snapshot) in business
    time and written forward only. -#}

{#- The snapshot relation, or none before it exists. Used where a ref() would create a
    dependency (the as-of guard test must run before the marts, not after the snapshot). -#}
{% macro segment_history_relation() %}
    {% if not execute %}{{ return(none) }}{% endif %}
    {% set snapshot_node = graph.nodes.values()
        | selectattr('resource_type', 'equalto', 'snapshot')
        | selectattr('name', 'equalto', 'customer_segment_snapshot')
        | first %}
    {{ return(adapter.get_relation(
        database=snapshot_node.database,
        schema=snapshot_node.schema,
        identifier=snapshot_node.alias
    )) }}
{% endmacro %}


{#- Pre-hook: fail, changing nothing, when the as-of date being recorded is earlier than
    the newest one already in the history. -#}
{% macro assert_history_moves_forward(history, memberships) %}
    {% if execute %}
        {% set existing = adapter.get_relation(
            database=history.database, schema=history.schema, identifier=history.identifier
        ) %}
        {% if existing is not none %}
            {% set row = run_query(
                "select (select max(as_of_at) from " ~ memberships ~ "), "
                ~ "(select max(dbt_updated_at) from " ~ existing ~ ")"
            ).rows[0] %}
            {% if row[0] is not none and row[1] is not none and row[0] < row[1] %}
                {{ exceptions.raise_compiler_error(
                    "Segment history is written forward only: this run is as of "
                    ~ row[0].strftime('%Y-%m-%d') ~ ", but the history already holds "
                    ~ row[1].strftime('%Y-%m-%d') ~ ". Run for that date or later, or rebuild "
                    ~ "history from scratch (README: 'Rebuilding history')."
                ) }}
            {% endif %}
        {% endif %}
    {% endif %}
    select 1 as history_moves_forward
{% endmacro %}


{#- Post-hook: dbt stamps rows it closes because their key disappeared with the wall clock
    of the run. History only ever holds times up to the newest as-of date, so any later
    time was written by this run: move it to this run's as-of time. -#}
{% macro stamp_deletions_with_as_of(history, memberships) %}
    {{ return(adapter.dispatch('stamp_deletions_with_as_of', 'customer_segments')(
        history, memberships)) }}
{% endmacro %}

{% macro default__stamp_deletions_with_as_of(history, memberships) %}
    {% set as_of = "(select max(as_of_at) from " ~ memberships ~ ")" %}
    {% for column in stamped_history_columns() %}
        update {{ history }}
        set {{ column }} = {{ as_of }}
        where {{ column }} > {{ as_of }};
    {% endfor %}
{% endmacro %}

{#- Spark's Parquet tables have no UPDATE: the snapshot is rewritten (as its
    materialization does, spark_snapshot.sql) when some time is later than the as-of. -#}
{% macro spark__stamp_deletions_with_as_of(history, memberships) %}
    {% if execute %}
        {% set as_of = run_query("select max(as_of_at) from " ~ memberships).rows[0][0] %}
        {% set as_of_literal = "cast('" ~ as_of ~ "' as timestamp)" %}
        {% set later = [] %}
        {% for column in stamped_history_columns() %}
            {% do later.append(column ~ " > " ~ as_of_literal) %}
        {% endfor %}
        {% if as_of is not none and run_query(
            "select count(*) from " ~ history ~ " where " ~ later | join(" or ")
        ).rows[0][0] > 0 %}
            {% set select_list = [] %}
            {% for column in adapter.get_columns_in_relation(history) | map(attribute='name') %}
                {% do select_list.append(
                    ("case when " ~ column ~ " > " ~ as_of_literal ~ " then " ~ as_of_literal
                     ~ " else " ~ column ~ " end as " ~ column)
                    if column in stamped_history_columns() else column) %}
            {% endfor %}
            {% do run_query(spark_stage_rewrite(
                history, "select " ~ select_list | join(", ") ~ " from " ~ history)) %}
            {% do run_query("drop table " ~ spark_rewrite_relation(history)) %}
        {% endif %}
    {% endif %}
    select 1 as deletions_stamped
{% endmacro %}

{#- Whether a history row is the marker dbt writes when a customer disappears (no spell). -#}
{% macro is_history_deletion_marker(relation_alias=none) %}
    coalesce({{ relation_alias ~ '.' if relation_alias }}dbt_is_deleted, 'False') = 'True'
{%- endmacro %}

{% macro stamped_history_columns() %}
    {{ return(['dbt_valid_from', 'dbt_valid_to', 'dbt_updated_at']) }}
{% endmacro %}


{#- `dbt run-operation reset_segment_history`: drop the history, to rebuild it from
    scratch with the backfill. -#}
{% macro reset_segment_history() %}
    {% set history = segment_history_relation() %}
    {% if history is none %}
        {{ log("No segment history to reset.", info=true) }}
    {% else %}
        {% do adapter.drop_relation(history) %}
        {#- run-operation leaves its transaction open: without a commit nothing is dropped. -#}
        {% do adapter.commit() %}
        {{ log("Dropped " ~ history ~ ": rebuild it with the backfill.", info=true) }}
    {% endif %}
{% endmacro %}
