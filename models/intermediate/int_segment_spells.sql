{#- One row per spell of a customer in a segment (a snapshot row that is not a deletion
    marker), with what the customer looked like when the spell started and ended.
    Spells are in the order they held: a segment changed twice on one as-of date leaves a
    zero-length spell [t, t] before the one that starts at t, so ties on the start are
    broken by the end (open last), then by dbt's row id, never by chance. -#}
{%- set spell_order = 'dbt_valid_from asc, dbt_valid_to asc nulls last, dbt_scd_id asc' %}

with

history as (
    select * from {{ ref('customer_segment_snapshot') }}
),

ordered as (
    select
        customer_id,
        segment_family,
        segment_name,
        net_lifetime_spend,
        top_customer_threshold,
        dbt_valid_from,
        dbt_valid_to,
        dbt_scd_id,
        coalesce(dbt_is_deleted, 'False') = 'True' as is_deletion_marker,
        -- The row that follows a spell holds the customer as they were when it ended.
        lead(net_lifetime_spend) over (
            partition by customer_id, segment_family order by {{ spell_order }}
        ) as next_net_lifetime_spend,
        lead(top_customer_threshold) over (
            partition by customer_id, segment_family order by {{ spell_order }}
        ) as next_top_customer_threshold
    from history
),

final as (
    select
        customer_id,
        segment_family,
        segment_name,
        dbt_valid_from as entered_at,
        dbt_valid_to as exited_at,
        net_lifetime_spend as net_lifetime_spend_at_entry,
        top_customer_threshold as top_customer_threshold_at_entry,
        next_net_lifetime_spend as net_lifetime_spend_at_exit,
        next_top_customer_threshold as top_customer_threshold_at_exit,
        row_number() over (
            partition by customer_id, segment_family, segment_name order by {{ spell_order }}
        ) as spell_number
    from ordered
    where not is_deletion_marker
)

select * from final
