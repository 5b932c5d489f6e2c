"""Per customer and fit: the fitted models' predictions (customer_segments.clv.tables)."""

from customer_segments.clv.tables import ClvSettings, prediction_table


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt hands a Python model only the config keys its source names literally, in
    # calls it can see (keyword arguments of a call, not dict entries).
    clv_vars = dict(
        clv_time_unit=dbt.config.get("clv_time_unit"),
        clv_short_window_days=dbt.config.get("clv_short_window_days"),
        clv_long_window_days=dbt.config.get("clv_long_window_days"),
        clv_horizon_months=dbt.config.get("clv_horizon_months"),
        clv_monthly_discount_rate=dbt.config.get("clv_monthly_discount_rate"),
        clv_holdout_days=dbt.config.get("clv_holdout_days"),
        clv_on_insufficient_data=dbt.config.get("clv_on_insufficient_data"),
        clv_max_fit_customers=dbt.config.get("clv_max_fit_customers"),
        clv_refit_after_days=dbt.config.get("clv_refit_after_days"),
        clv_refit_population_change=dbt.config.get("clv_refit_population_change"),
    )
    settings = ClvSettings.from_vars(clv_vars.get)
    return prediction_table(dbt.ref("int_customers_clv_summary").df(),
                            dbt.ref("int_clv_fits").df(), settings)
