"""Per customer and fit: the fitted models' predictions (customer_segments.clv.tables)."""

from customer_segments.clv.tables import ClvSettings, prediction_table


def model(dbt, session):
    dbt.config(materialized="table")
    settings = ClvSettings.from_vars(dbt.config.get)
    return prediction_table(dbt.ref("int_customers_clv_summary").df(),
                            dbt.ref("int_clv_fits").df(), settings)
