{#- One row per spell of a customer in a segment (a snapshot row that is not a deletion
    marker), with what the customer looked like when the spell started and ended.
    Spells are in the order they held: a segment changed twice on one as-of date leaves a
    zero-length spell [t, t] before the one that starts at t, so ties on the start are
    broken by the end (open last), then by dbt's row id, never by chance.
    Incremental: a run rewrites every spell of the customers whose history gained or
    closed a row the model does not hold yet; a reset or replayed history rebuilds it. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='changed_keys',
    unique_key='customer_id',
    change_inputs=[
        {
            'rule': 'customers_whose_segment_history_changed',
            'rebuilt_when': 'segment_history_was_rebuilt_or_reset',
        },
    ],
    on_schema_change='fail',
) }}

{%- set spell_order = 'dbt_valid_from asc, dbt_valid_to asc nulls last, dbt_scd_id asc' %}

with

history as (
    select * from {{ ref('customer_segment_snapshot') }}
    {% if is_incremental() %}
        where customer_id in (select customer_id from {{ changed_keys_relation() }})
    {% endif %}
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
        {{ is_history_deletion_marker() }} as is_deletion_marker,
        -- The row that follows a spell holds the customer as they were when it ended.
        lead(net_lifetime_spend) over (
            partition by customer_id, segment_family order by {{ spell_order }}
        ) as next_net_lifetime_spend,
        lead(top_customer_threshold) over (
            partition by customer_id, segment_family order by {{ spell_order }}
        ) as next_top_customer_threshold
    from history
),

numbered as (
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
        dbt_scd_id,
        row_number() over (
            partition by customer_id, segment_family, segment_name order by {{ spell_order }}
        ) as spell_number
    from ordered
    where not is_deletion_marker
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'customer_id', "'|'", 'segment_family', "'|'", 'segment_name', "'|'",
            "cast(spell_number as " ~ dbt.type_string() ~ ")",
        ])) }} as segment_spell_id,
        customer_id,
        segment_family,
        segment_name,
        cast(spell_number as bigint) as spell_number,
        entered_at,
        exited_at,
        net_lifetime_spend_at_entry,
        top_customer_threshold_at_entry,
        net_lifetime_spend_at_exit,
        top_customer_threshold_at_exit,
        dbt_scd_id,
        {{ run_refreshed_at() }} as refreshed_at
    from numbered
)

select * from final
