{#- The quarantine: every raw row staging could not use, with its raw values and why
    (the tables: checked_raw_tables). -#}

with

{% for source_table, checked_model, _, key_column in checked_raw_tables() %}
    rejected_{{ source_table }} as (
        select
            '{{ source_table }}' as source_table,
            cast({{ key_column }} as {{ dbt.type_string() }}) as source_row_key,
            rejection_reason,
            raw_record,
            _loaded_at
        from {{ ref(checked_model) }}
        where rejection_reason is not null
    ),
{% endfor %}

final as (
    {% for source_table, _, _, _ in checked_raw_tables() %}
        select * from rejected_{{ source_table }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
