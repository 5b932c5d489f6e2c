{#- Any two segments side by side: one row per ordered pair of segments (of any families,
    e.g. Top Customers vs Active), each metric of segment A and its index against
    segment B (100 = the same). -#}
{%- set metrics = segment_comparison_metrics() -%}

with

comparison as (
    select * from {{ ref('int_segment_comparison') }}
),

final as (
    select
        segment_a.segment_family as segment_a_family,
        segment_a.segment_name as segment_a_name,
        segment_b.segment_family as segment_b_family,
        segment_b.segment_name as segment_b_name,
        segment_a.customer_count as segment_a_customers,
        segment_b.customer_count as segment_b_customers,
        {%- for metric in metrics %}
            segment_a.{{ metric }} as segment_a_{{ metric }},
            segment_b.{{ metric }} as segment_b_{{ metric }},
            {{ double_to_cents(
                '100 * ' ~ ratio('segment_a.' ~ metric, 'segment_b.' ~ metric)) }}
                as {{ metric }}_index,
        {%- endfor %}
        segment_a.as_of_date
    from comparison as segment_a
    cross join comparison as segment_b
    where
        segment_a.segment_family <> segment_b.segment_family
        or segment_a.segment_name <> segment_b.segment_name
)

select * from final
