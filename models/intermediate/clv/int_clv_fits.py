"""One row per CLV fit: BG/NBD and Gamma-Gamma parameters by maximum likelihood on the
calibration summary (see customer_segments.clv for the models), and whether they can be
trusted. A fit that is impossible or unreliable never fails the build unless var
`clv_on_insufficient_data` is `error`: it says why in `fit_status_reason`, and the
predictions are left empty."""

import pandas as pd

from customer_segments import clv

COLUMNS = [
    "fit_purpose", "calibration_end_date", "time_unit", "customers", "repeat_customers",
    "bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b", "bgnbd_log_likelihood", "bgnbd_converged",
    "gamma_gamma_p", "gamma_gamma_q", "gamma_gamma_gamma", "gamma_gamma_log_likelihood",
    "gamma_gamma_converged", "gamma_gamma_customers", "fitted_on_customers", "fit_status",
    "fit_status_reason",
]
# The sample is drawn with a fixed seed, so a rebuild on the same data gives the same fit.
SAMPLE_SEED = 20051


class ClvFitError(RuntimeError):
    """Raised only with clv_on_insufficient_data: error."""


def fit_one(purpose, summary, time_unit, max_fit_customers):
    row = {
        "fit_purpose": purpose,
        "calibration_end_date": summary["calibration_end_date"].iloc[0] if len(summary) else None,
        "time_unit": time_unit,
        "customers": len(summary),
        "repeat_customers": int((summary["repeat_transactions"] > 0).sum()),
        "fit_status": "fitted",
        "fit_status_reason": None,
    }
    # Maximum likelihood on a large random sample gives the same parameters to a fraction
    # of a percent; the likelihood's cost grows with every distinct customer summary.
    if len(summary) > max_fit_customers:
        summary = summary.sample(n=max_fit_customers, random_state=SAMPLE_SEED)
    row["fitted_on_customers"] = len(summary)
    x = summary["repeat_transactions"].to_numpy(dtype=float)
    m = summary["mean_repeat_value"].fillna(0).to_numpy(dtype=float)
    try:
        bgnbd = clv.fit_bgnbd(x, summary["time_to_last_purchase"].to_numpy(dtype=float),
                              summary["observation_time"].to_numpy(dtype=float))
        spend = clv.fit_gamma_gamma(x, m)
    except clv.InsufficientDataError as error:
        return {**row, "fit_status": "insufficient_data", "fit_status_reason": str(error)}
    except Exception as error:  # noqa: BLE001 - a fit must never take the segments down
        return {**row, "fit_status": "failed",
                "fit_status_reason": f"the fit raised {type(error).__name__}: {error}"}
    row.update({
        "bgnbd_r": bgnbd.r, "bgnbd_alpha": bgnbd.alpha, "bgnbd_a": bgnbd.a, "bgnbd_b": bgnbd.b,
        "bgnbd_log_likelihood": bgnbd.log_likelihood, "bgnbd_converged": bgnbd.converged,
        "gamma_gamma_p": spend.p, "gamma_gamma_q": spend.q, "gamma_gamma_gamma": spend.gamma,
        "gamma_gamma_log_likelihood": spend.log_likelihood,
        "gamma_gamma_converged": spend.converged,
        "gamma_gamma_customers": int(((x > 0) & (m > 0)).sum()),
    })
    problem = clv.assess_fit(bgnbd, spend)
    if problem:
        row.update({"fit_status": "unreliable", "fit_status_reason": problem})
    return row


def model(dbt, session):
    dbt.config(materialized="table")
    summary = dbt.ref("int_customers_clv_summary").df()
    # Vars reach Python models as text; validate_project_vars checked them at the start.
    time_unit = dbt.config.get("clv_time_unit").strip().lower()
    on_insufficient_data = dbt.config.get("clv_on_insufficient_data").strip().lower()
    purposes = ["prediction"]
    if int(dbt.config.get("clv_holdout_days")) > 0:
        purposes.append("holdout_validation")
    max_fit_customers = int(dbt.config.get("clv_max_fit_customers"))
    rows = [
        fit_one(purpose, summary[summary["fit_purpose"] == purpose].sort_values("customer_id"),
                time_unit, max_fit_customers)
        for purpose in purposes
    ]
    prediction = rows[0]
    # Only the fit behind the predictions can stop the build; a holdout too early in the
    # data's history just means no validation.
    if on_insufficient_data == "error" and prediction["fit_status"] != "fitted":
        raise ClvFitError(
            f"Cannot fit the CLV models (prediction fit, {prediction['fit_status']}): "
            f"{prediction['fit_status_reason']} Set var clv_on_insufficient_data: warn to "
            "build everything else with the predictions empty."
        )
    return pd.DataFrame(rows, columns=COLUMNS)
