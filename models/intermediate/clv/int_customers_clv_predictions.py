"""Per customer and fit: the fitted models' predictions (see customer_segments.clv).

prediction fit: one row per customer of the calibration summary, with `clv_status`
`predicted` and probability alive, expected transactions over the short and long
windows, expected average order value and predicted CLV; or, when the fit could not be
trusted, the fit's status and empty predictions.
holdout_validation fit (only when fitted): expected transactions over the days held out,
beside the actual.
"""

import pandas as pd

from customer_segments import clv

DAYS_PER_UNIT = {"week": 7.0, "day": 1.0}
PREDICTION_COLUMNS = [
    "probability_alive", "expected_transactions_short_window",
    "expected_transactions_long_window", "expected_average_order_value", "predicted_clv",
    "expected_holdout_transactions", "holdout_transactions",
]
COLUMNS = ["fit_purpose", "customer_id", "clv_status", *PREDICTION_COLUMNS]


def model(dbt, session):
    dbt.config(materialized="table")
    summary = dbt.ref("int_customers_clv_summary").df()
    fits = dbt.ref("int_clv_fits").df()
    days_per_unit = DAYS_PER_UNIT[dbt.config.get("clv_time_unit").strip().lower()]
    short_window = float(dbt.config.get("clv_short_window_days")) / days_per_unit
    long_window = float(dbt.config.get("clv_long_window_days")) / days_per_unit
    holdout = float(dbt.config.get("clv_holdout_days")) / days_per_unit
    horizon_months = int(dbt.config.get("clv_horizon_months"))
    discount = float(dbt.config.get("clv_monthly_discount_rate"))

    frames = []
    for fit in fits.to_dict("records"):
        customers = summary[summary["fit_purpose"] == fit["fit_purpose"]]
        is_prediction = fit["fit_purpose"] == "prediction"
        fitted = fit["fit_status"] == "fitted"
        if not (fitted or is_prediction):
            continue
        frame = pd.DataFrame({
            "fit_purpose": fit["fit_purpose"],
            "customer_id": customers["customer_id"].to_numpy(),
            "clv_status": "predicted" if fitted else fit["fit_status"],
        })
        if fitted:
            bgnbd = clv.BgNbdParameters(fit["bgnbd_r"], fit["bgnbd_alpha"], fit["bgnbd_a"],
                                        fit["bgnbd_b"], fit["bgnbd_log_likelihood"], True)
            spend = clv.GammaGammaParameters(fit["gamma_gamma_p"], fit["gamma_gamma_q"],
                                             fit["gamma_gamma_gamma"],
                                             fit["gamma_gamma_log_likelihood"], True)
            x = customers["repeat_transactions"].to_numpy(dtype=float)
            t_x = customers["time_to_last_purchase"].to_numpy(dtype=float)
            T = customers["observation_time"].to_numpy(dtype=float)
            m = customers["mean_repeat_value"].fillna(0).to_numpy(dtype=float)
            if is_prediction:
                frame["probability_alive"] = clv.probability_alive(bgnbd, x, t_x, T)
                frame["expected_transactions_short_window"] = clv.expected_transactions(
                    bgnbd, short_window, x, t_x, T)
                frame["expected_transactions_long_window"] = clv.expected_transactions(
                    bgnbd, long_window, x, t_x, T)
                frame["expected_average_order_value"] = clv.expected_average_order_value(
                    spend, x, m)
                frame["predicted_clv"] = clv.predicted_lifetime_value(
                    bgnbd, spend, x, t_x, T, m, horizon_months, discount,
                    time_units_per_month=365.25 / 12 / days_per_unit)
            else:
                frame["expected_holdout_transactions"] = clv.expected_transactions(
                    bgnbd, holdout, x, t_x, T)
                frame["holdout_transactions"] = customers["holdout_transactions"].to_numpy()
        frames.append(frame)
    empty = pd.DataFrame({column: pd.Series(dtype="object") for column in COLUMNS[:3]})
    return pd.concat([empty, *frames], ignore_index=True).reindex(columns=COLUMNS).astype(
        {column: "float64" for column in PREDICTION_COLUMNS})
