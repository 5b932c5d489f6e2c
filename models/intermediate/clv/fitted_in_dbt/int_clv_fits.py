"""One row per CLV fit: BG/NBD and Gamma-Gamma parameters by maximum likelihood on the
calibration summary, and whether they can be trusted (customer_segments.clv.tables)."""

from customer_segments.clv.tables import ClvSettings, fit_table


def model(dbt, session):
    dbt.config(materialized="table")
    # Vars reach Python models through their config; validate_project_vars checked them.
    settings = ClvSettings.from_vars(dbt.config.get)
    return fit_table(dbt.ref("int_customers_clv_summary").df(), settings)
