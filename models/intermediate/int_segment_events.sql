{#- One row per change of segment membership: a customer entering or leaving a segment,
    at the as-of date the change was first seen. A first appearance in a segment is an
    `entered` event; leaving the data altogether is an `exited` event from every segment
    the customer was in; re-entries are new events. Incremental: a run rewrites the
    events of the customers whose spells were rewritten. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='changed_keys',
    unique_key='customer_id',
    change_inputs=[{'refreshed_in': 'int_segment_spells', 'key': 'customer_id'}],
    on_schema_change='fail',
) }}

with

spells as (
    select * from {{ ref('int_segment_spells') }}
    {% if is_incremental() %}
        where customer_id in (select customer_id from {{ changed_keys_relation() }})
    {% endif %}
),

entries as (
    select
        customer_id,
        segment_family,
        segment_name,
        'entered' as event_type,
        entered_at as event_at,
        net_lifetime_spend_at_entry as net_lifetime_spend,
        top_customer_threshold_at_entry as top_customer_threshold,
        spell_number
    from spells
),

exits as (
    select
        customer_id,
        segment_family,
        segment_name,
        'exited' as event_type,
        exited_at as event_at,
        net_lifetime_spend_at_exit as net_lifetime_spend,
        top_customer_threshold_at_exit as top_customer_threshold,
        spell_number
    from spells
    where exited_at is not null
),

events as (
    select * from entries
    union all
    select * from exits
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'customer_id', "'|'", 'segment_family', "'|'", 'segment_name', "'|'",
            'event_type', "'|'", "cast(spell_number as " ~ dbt.type_string() ~ ")",
        ])) }} as segment_event_id,
        customer_id,
        segment_family,
        segment_name,
        event_type,
        event_at,
        cast(event_at as date) as event_date,
        cast(net_lifetime_spend as decimal(18, 2)) as net_lifetime_spend,
        cast(top_customer_threshold as decimal(18, 2)) as top_customer_threshold,
        cast(spell_number as bigint) as spell_number,
        {{ run_refreshed_at() }} as refreshed_at
    from events
)

select * from final
