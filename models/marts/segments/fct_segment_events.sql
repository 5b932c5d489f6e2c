{#- Publishes int_segment_events: one row per customer entering or leaving a segment,
    in business time. A view: the rows are int_segment_events' own, updated customer by
    customer. -#}
{{ config(materialized='view') }}

select
    segment_event_id,
    customer_id,
    segment_family,
    segment_name,
    event_type,
    event_at,
    event_date,
    net_lifetime_spend,
    top_customer_threshold,
    spell_number
from {{ ref('int_segment_events') }}
