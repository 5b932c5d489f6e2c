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
        {{ raw_extra_fields_column(table_name) }} as _extra_fields,
        _loaded_at
    from {{ source('shop', table_name) }}
{% endmacro %}


{#- The DuckDB file reader (and `customer-segments load-raw`, which uses it) keeps a CSV
    row's values beyond its header in `_extra_fields`; a table you load yourself may have
    no such column, and then no such rows. -#}
{% macro raw_extra_fields_column(table_name) %}
    {{ return(adapter.dispatch('raw_extra_fields_column', 'customer_segments')(table_name)) }}
{% endmacro %}

{% macro default__raw_extra_fields_column(table_name) %}
    {% if execute %}
        {% set loaded_columns = adapter.get_columns_in_relation(source('shop', table_name))
            | map(attribute='name') | map('lower') | list %}
        {% if '_extra_fields' in loaded_columns %}{{ return('_extra_fields') }}{% endif %}
    {% endif %}
    {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
{% endmacro %}

{% macro duckdb__raw_extra_fields_column(table_name) %}
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


{#- The rows of `relation` with their version ranking by `key`: `version_group` (1 = the
    most recent, by the `recency` sort expressions), `version_rank` (1 = the version used)
    and `latest_versions_disagree` (the most recent rows say different things, compared
    on the parsed `content_columns`, so "100.0" and "100.00" agree). A model quarantines
    `latest_versions_disagree and version_group = 1` as conflicting_versions (none can
    be trusted) and `version_rank > 1` as superseded_duplicate. -#}
{% macro ranked_versions(relation, key, recency, content_columns) %}
    {{ return(adapter.dispatch('ranked_versions', 'customer_segments')(
        relation, key, recency, content_columns
    )) }}
{% endmacro %}

{#- Only the keys seen more than once are ranked: a key's single row is its version. The
    window functions hold every row they rank, and almost every key has one row, so this
    takes a third off staging's largest models. The relation is read three times: DuckDB
    and PostgreSQL compute a CTE referenced more than once only once. -#}
{% macro default__ranked_versions(relation, key, recency, content_columns) %}
    select * from (
        with repeated_keys as (
            select {{ key }} from {{ relation }} group by {{ key }} having count(*) > 1
        )
        select
            *,
            cast(null as {{ dbt.type_string() }}) as version_content,
            cast(1 as {{ dbt.type_bigint() }}) as version_group,
            cast(1 as {{ dbt.type_bigint() }}) as version_rank,
            false as latest_versions_disagree
        from {{ relation }} as single_version
        where not exists (
            select 1 from repeated_keys where repeated_keys.{{ key }} = single_version.{{ key }}
        )
        union all
        {{ ranked_rows(
            "(select * from " ~ relation ~ " where " ~ key ~ " in (select " ~ key
            ~ " from repeated_keys)) as repeated_versions",
            key, recency, content_columns
        ) }}
    ) as versioned_rows
{% endmacro %}

{#- Spark computes a CTE once per reference: it ranks every row in one pass. -#}
{% macro spark__ranked_versions(relation, key, recency, content_columns) %}
    {{ return(ranked_rows(relation, key, recency, content_columns)) }}
{% endmacro %}

{#- ranked_versions over every row of `relation` (a name, or a subquery with its alias). -#}
{% macro ranked_rows(relation, key, recency, content_columns) %}
    {%- set content -%}
        concat_ws(
            '|'
            {%- for column in content_columns %},
            coalesce(cast({{ column }} as {{ dbt.type_string() }}), '~')
            {%- endfor %}
        )
    {%- endset -%}
    select
        *,
        min(case when version_group = 1 then version_content end) over (partition by {{ key }})
        <> max(case when version_group = 1 then version_content end) over (partition by {{ key }})
            as latest_versions_disagree
    from (
        select
            *,
            rank() over (
                partition by {{ key }} order by {{ recency | join(', ') }}
            ) as version_group,
            row_number() over (
                partition by {{ key }} order by {{ recency | join(', ') }}, version_content asc
            ) as version_rank
        from (select *, {{ content }} as version_content from {{ relation }}) as with_content
    ) as ranked
{% endmacro %}


{#- The two version checks, in first_failed_check's order. -#}
{% macro version_checks() %}
    {{ return([
        ("latest_versions_disagree and version_group = 1", "conflicting_versions"),
        ("version_rank > 1", "superseded_duplicate"),
    ]) }}
{% endmacro %}


{#- One text column holding columns `prefix ~ key` as a JSON object keyed by `key`, each
    value as text (a typed Parquet number reads as it would from a CSV), for quarantine
    rows. -#}
{% macro json_object_of(keys, prefix='') %}
    {{ return(adapter.dispatch('json_object_of', 'customer_segments')(keys, prefix)) }}
{% endmacro %}

{#- Spark's to_json leaves out null fields unless told not to; every engine writes them. -#}
{% macro default__json_object_of(keys, prefix) %}
    to_json(named_struct(
        {%- for key in keys %}
        '{{ key }}', cast({{ prefix ~ key }} as string){{ "," if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{% endmacro %}

{% macro duckdb__json_object_of(keys, prefix) %}
    cast(to_json(struct_pack(
        {%- for key in keys %}
        {{ adapter.quote(key) }} := cast({{ prefix ~ key }} as varchar){{ "," if not loop.last }}
        {%- endfor %}
    )) as varchar)
{% endmacro %}

{% macro postgres__json_object_of(keys, prefix) %}
    {#- Written out rather than json_build_object, whose text puts spaces around every
        colon: the same raw row reads the same on every engine. -#}
    ('{'
    {%- for key in keys %}
        || '{{ "," if not loop.first }}"{{ key }}":' || coalesce(to_json({{ prefix ~ key }}::text)::text, 'null')
    {%- endfor %}
        || '}')
{% endmacro %}


{#- The raw value, as text, of an optional field whose value did not parse (`parsed` is
    NULL but the raw value is not empty): the row is kept and the value reported. -#}
{% macro unparseable_raw_text(parsed, raw_column) %}
    case
        when {{ parsed }} is null and {{ clean_text(raw_column) }} is not null
            then cast({{ raw_column }} as {{ dbt.type_string() }})
    end
{% endmacro %}


{#- The first reason whose condition holds, as a `case` expression; NULL when none does.
    `checks` is a list of (condition, reason code) pairs, most fundamental first. -#}
{% macro first_failed_check(checks) %}
    case
        {%- for condition, reason in checks %}
        when {{ condition }} then '{{ reason }}'
        {%- endfor %}
    end
{% endmacro %}


{#- Every raw table staging checks: (table, its checked base model, its clean staging
    model, its key). The quarantine unions the checked models' rejected rows, and
    assert_every_raw_row_lands_once counts every raw row in one of the two. -#}
{% macro checked_raw_tables() %}
    {{ return([
        ('orders', 'base_shop__orders_checked', 'stg_shop__orders', 'order_id'),
        ('order_items', 'base_shop__order_items_checked', 'stg_shop__order_items',
            'order_item_id'),
        ('products', 'base_shop__products_checked', 'stg_shop__products', 'product_id'),
        ('customers', 'base_shop__customers_checked', 'stg_shop__customers', 'customer_id'),
        ('refunds', 'base_shop__refunds_checked', 'stg_shop__refunds', 'refund_id'),
        ('exchange_rates', 'base_shop__exchange_rates_checked', 'stg_shop__exchange_rates',
            'currency'),
        ('nps_responses', 'base_shop__nps_responses_checked', 'stg_shop__nps_responses',
            'response_id'),
    ]) }}
{% endmacro %}
