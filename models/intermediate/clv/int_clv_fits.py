"""One row per CLV fit: BG/NBD and Gamma-Gamma parameters by maximum likelihood on the
calibration summary (see customer_segments.clv for the models)."""

import pandas as pd

from customer_segments import clv

COLUMNS = [
    "fit_purpose", "calibration_end_date", "time_unit", "customers", "repeat_customers",
    "bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b", "bgnbd_log_likelihood", "bgnbd_converged",
    "gamma_gamma_p", "gamma_gamma_q", "gamma_gamma_gamma", "gamma_gamma_log_likelihood",
    "gamma_gamma_converged", "gamma_gamma_customers", "fitted_on_customers", "fit_error",
]
# The sample is drawn with a fixed seed, so a rebuild on the same data gives the same fit.
SAMPLE_SEED = 20051


def fit_one(purpose, summary, time_unit, on_insufficient_data, max_fit_customers):
    row = {
        "fit_purpose": purpose,
        "calibration_end_date": summary["calibration_end_date"].iloc[0] if len(summary) else None,
        "time_unit": time_unit,
        "customers": len(summary),
        "repeat_customers": int((summary["repeat_transactions"] > 0).sum()),
        "fit_error": None,
    }
    # Maximum likelihood on a large random sample gives the same parameters to a fraction
    # of a percent; the likelihood's cost grows with every customer.
    if len(summary) > max_fit_customers:
        summary = summary.sample(n=max_fit_customers, random_state=SAMPLE_SEED)
    row["fitted_on_customers"] = len(summary)
    x = summary["repeat_transactions"].to_numpy(dtype=float)
    try:
        bgnbd = clv.fit_bgnbd(x, summary["time_to_last_purchase"].to_numpy(dtype=float),
                              summary["observation_time"].to_numpy(dtype=float))
        spend = clv.fit_gamma_gamma(x, summary["mean_repeat_value"].fillna(0).to_numpy(dtype=float))
    except clv.InsufficientDataError as error:
        # Only the fit behind the predictions is required; a holdout too early in the
        # data's history just means no validation.
        if purpose == "prediction" and on_insufficient_data != "skip":
            raise clv.InsufficientDataError(
                f"Cannot fit the CLV models ({purpose} fit): {error} Set var "
                "clv_on_insufficient_data: skip to build without predictions."
            ) from error
        row["fit_error"] = str(error)
        return row
    row.update({
        "bgnbd_r": bgnbd.r, "bgnbd_alpha": bgnbd.alpha, "bgnbd_a": bgnbd.a, "bgnbd_b": bgnbd.b,
        "bgnbd_log_likelihood": bgnbd.log_likelihood, "bgnbd_converged": bgnbd.converged,
        "gamma_gamma_p": spend.p, "gamma_gamma_q": spend.q, "gamma_gamma_gamma": spend.gamma,
        "gamma_gamma_log_likelihood": spend.log_likelihood,
        "gamma_gamma_converged": spend.converged,
        "gamma_gamma_customers": int(((x > 0) & (summary["mean_repeat_value"].fillna(0) > 0)).sum()),
    })
    return row


def model(dbt, session):
    dbt.config(materialized="table")
    summary = dbt.ref("int_customers_clv_summary").df()
    time_unit = dbt.config.get("clv_time_unit")
    on_insufficient_data = dbt.config.get("clv_on_insufficient_data")
    purposes = ["prediction"]
    if int(dbt.config.get("clv_holdout_days")) > 0:
        purposes.append("holdout_validation")
    max_fit_customers = int(dbt.config.get("clv_max_fit_customers"))
    rows = [
        fit_one(purpose, summary[summary["fit_purpose"] == purpose].sort_values("customer_id"),
                time_unit, on_insufficient_data, max_fit_customers)
        for purpose in purposes
    ]
    return pd.DataFrame(rows, columns=COLUMNS)
