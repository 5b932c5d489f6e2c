{#- Every raw row lands in exactly one place: its clean staging model or the quarantine.
    Returns a row for each table where the counts do not add up. -#}


with

rejected_counts as (
    select
        source_table,
        count(*) as rejected_rows
    from {{ ref('stg_shop__rejected_rows') }}
    group by source_table
),

landed as (
    {% for source_table, _, clean_model, _ in checked_raw_tables() %}
        select
            '{{ source_table }}' as source_table,
            (select count(*) from {{ source('shop', source_table) }}) as raw_rows,
            (select count(*) from {{ ref(clean_model) }}) as clean_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        landed.source_table,
        landed.raw_rows,
        landed.clean_rows,
        coalesce(rejected_counts.rejected_rows, 0) as rejected_rows
    from landed
    left join rejected_counts
        on landed.source_table = rejected_counts.source_table
    where landed.raw_rows <> landed.clean_rows + coalesce(rejected_counts.rejected_rows, 0)
)

select * from final
