{#- Every (recency, FM) score cell from 1 to 5 maps to exactly one named RFM segment.
    Returns each cell that maps to none or to several. -#}

with

segment_map as (
    select * from {{ ref('rfm_segments') }}
),

scores as (
    {% for score in range(1, 6) %}
        select {{ score }} as score
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

cells as (
    select
        recency.score as recency_score,
        frequency_monetary.score as frequency_monetary_score
    from scores as recency
    cross join scores as frequency_monetary
),

final as (
    select
        cells.recency_score,
        cells.frequency_monetary_score,
        count(segment_map.rfm_segment) as matching_segments
    from cells
    left join segment_map
        on
            cells.recency_score
            between segment_map.recency_score_min and segment_map.recency_score_max
            and cells.frequency_monetary_score
            between segment_map.frequency_monetary_score_min
            and segment_map.frequency_monetary_score_max
    group by cells.recency_score, cells.frequency_monetary_score
    having count(segment_map.rfm_segment) <> 1
)

select * from final
