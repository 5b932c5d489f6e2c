{#- Every raw product row, trimmed, with the reason it is quarantined (NULL when it is used). -#}
{%- set raw_columns = ['product_id', 'product_name', 'category'] -%}

with

source_rows as (
    {{ select_raw_rows('products', raw_columns) }}
),

parsed as (
    select
        *,
        {{ clean_id('raw_product_id') }} as product_id,
        {{ clean_text('raw_product_name') }} as product_name,
        coalesce(lower({{ clean_text('raw_category') }}), 'uncategorised') as category,
        row_number() over (
            partition by {{ clean_id('raw_product_id') }}
            order by _loaded_at desc nulls last, raw_product_name asc, raw_category asc
        ) as version_rank
    from source_rows
),

checked as (
    select
        *,
        {{ first_failed_check([
            ("_extra_fields is not null", "too_many_fields"),
            ("product_id is null", "missing_product_id"),
            ("version_rank > 1", "superseded_duplicate"),
        ]) }} as rejection_reason
    from parsed
),

final as (
    select
        product_id,
        product_name,
        category,
        _loaded_at,
        {{ quarantine_columns(raw_columns) }}
    from checked
)

select * from final
