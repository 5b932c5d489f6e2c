{#- Every segment family and the label of the segment a customer is in, as an expression
    over int_customer_profiles' columns. Each family partitions the customers (every
    customer in exactly one of its segments). int_customer_profiles names each customer's
    segments in `segment_<family>` columns from it; the long memberships (and so the
    comparison report, the published segments, the history) unpivot them, dim_customers
    publishes them (the semantic layer's dimensions). A new family is one more entry here. -#}
{% macro segment_families() %}
    {{ return([
        ('all', "'All customers'"),
        ('top_customers', "case when is_top_customer then 'Top Customers' else 'Other customers' end"),
        ('value_tier', "'Tier ' || value_tier"),
        ('rfm', 'rfm_segment'),
        ('lifecycle', 'lifecycle_stage'),
        ('rising_stars', "case when is_rising_star then 'Rising Stars' else 'Not rising stars' end"),
        ('top_customers_at_risk',
            "case when is_top_customer_at_risk then 'Top Customers at risk' else 'Not at risk' end"),
        ('acquisition_cohort_year', "coalesce(acquisition_cohort_year, 'No purchases')"),
        ('acquisition_cohort_quarter', "coalesce(acquisition_cohort_quarter, 'No purchases')"),
        ('primary_category', 'primary_category'),
        ('loyalty', "case when is_loyalty_member then 'Loyalty members' else 'Non-members' end"),
        ('nps', 'nps_category'),
    ]) }}
{% endmacro %}
