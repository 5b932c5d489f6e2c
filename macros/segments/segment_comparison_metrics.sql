{#- The per-segment metrics the comparison marts index against each other (100 = the
    same), in display order. -#}
{% macro segment_comparison_metrics() %}
    {{ return([
        'average_net_lifetime_spend',
        'average_order_value',
        'orders_per_customer',
        'median_days_since_last_order',
        'repeat_purchase_rate',
        'average_tenure_days',
    ]) }}
{% endmacro %}
