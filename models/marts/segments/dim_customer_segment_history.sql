{#- One row per membership spell: when a customer entered a segment, when they left it
    (NULL while still in it), and how long they have been in it. A view over
    int_segment_spells (updated customer by customer): only days_in_segment of current
    spells moves with each as-of date, and a view computes it when read. -#}
{{ config(materialized='view') }}

with

spells as (
    select * from {{ ref('int_segment_spells') }}
),

history as (
    select * from {{ ref('customer_segment_snapshot') }}
),

newest_recorded as (
    select max(dbt_updated_at) as newest_as_of_at
    from history
),

final as (
    select
        spells.segment_spell_id,
        spells.customer_id,
        spells.segment_family,
        spells.segment_name,
        spells.spell_number,
        spells.entered_at,
        spells.exited_at,
        spells.exited_at is null as is_current,
        cast(
            {{ dbt.datediff(
                'spells.entered_at',
                'coalesce(spells.exited_at, newest_recorded.newest_as_of_at)',
                'day'
            ) }} as bigint
        ) as days_in_segment,
        cast(spells.net_lifetime_spend_at_entry as decimal(18, 2))
            as net_lifetime_spend_at_entry,
        cast(spells.net_lifetime_spend_at_exit as decimal(18, 2)) as net_lifetime_spend_at_exit
    from spells
    cross join newest_recorded
)

select * from final
