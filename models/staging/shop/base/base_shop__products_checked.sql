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
        coalesce(lower({{ clean_text('raw_category') }}), 'uncategorised') as category
    from source_rows
),

versioned as (
    {{ ranked_versions(
        'parsed', 'product_id', ['_loaded_at desc nulls last'], ['product_name', 'category']
    ) }}
),

checked as (
    select
        *,
        {{ first_failed_check([
            ("_extra_fields is not null", "too_many_fields"),
            ("product_id is null", "missing_product_id"),
        ] + version_checks()) }} as rejection_reason
    from versioned
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
