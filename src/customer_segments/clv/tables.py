"""The CLV tables, engine-independent: the fits and the predictions, from the calibration
summary (`int_customers_clv_summary`) as a pandas frame.

Both dbt's Python models (DuckDB) and the `fit-clv` command (engines whose dbt adapter
runs no Python models) call these two functions, so every engine fits and predicts alike.

Parameters are refit on a cadence, not every run: a fit is kept while its calibration
summary is less than `clv_refit_after_days` old and the customer count has moved by at
most `clv_refit_population_change`; the predictions always use today's summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from customer_segments.clv.assess import assess_fit
from customer_segments.clv.bgnbd import (
    BgNbdParameters,
    expected_transactions,
    fit_bgnbd,
    probability_alive,
)
from customer_segments.clv.fit import InsufficientDataError
from customer_segments.clv.gamma_gamma import (
    GammaGammaParameters,
    expected_average_order_value,
    fit_gamma_gamma,
)
from customer_segments.clv.lifetime_value import predicted_lifetime_value

FIT_COLUMNS = [
    "fit_purpose", "calibration_end_date", "time_unit", "customers", "repeat_customers",
    "bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b", "bgnbd_log_likelihood", "bgnbd_converged",
    "gamma_gamma_p", "gamma_gamma_q", "gamma_gamma_gamma", "gamma_gamma_log_likelihood",
    "gamma_gamma_converged", "gamma_gamma_customers", "fitted_on_customers", "fit_status",
    "fit_status_reason", "parameters_calibration_end_date", "parameters_customers",
    "fit_decision", "fit_decision_reason",
]
# Explicit column types: int_clv_fits is incremental, so its table keeps the types of its
# first run, and a column that was all empty then (no fit reason, no parameters) must not
# be typed from nothing.
FIT_DTYPES = {
    **dict.fromkeys(["fit_purpose", "time_unit", "fit_status", "fit_status_reason",
                     "fit_decision", "fit_decision_reason"], "string"),
    **dict.fromkeys(["customers", "repeat_customers", "gamma_gamma_customers",
                     "fitted_on_customers", "parameters_customers"], "Int64"),
    **dict.fromkeys(["bgnbd_converged", "gamma_gamma_converged"], "boolean"),
    **dict.fromkeys(["bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b", "bgnbd_log_likelihood",
                     "gamma_gamma_p", "gamma_gamma_q", "gamma_gamma_gamma",
                     "gamma_gamma_log_likelihood"], "float64"),
}
# What describes today's summary (summary_facts) and today's decision; a kept fit carries
# every other column over from the run that fitted it.
SUMMARY_FACT_COLUMNS = ["fit_purpose", "calibration_end_date", "time_unit", "customers",
                        "repeat_customers"]
FITTED_COLUMNS = [column for column in FIT_COLUMNS
                  if column not in {*SUMMARY_FACT_COLUMNS, "fit_decision", "fit_decision_reason"}]
PREDICTION_VALUE_COLUMNS = [
    "probability_alive", "expected_transactions_short_window",
    "expected_transactions_long_window", "expected_average_order_value", "predicted_clv",
    "expected_holdout_transactions", "holdout_transactions",
]
PREDICTION_COLUMNS = ["fit_purpose", "customer_id", "clv_status", *PREDICTION_VALUE_COLUMNS]
DAYS_PER_UNIT = {"week": 7.0, "day": 1.0}
# The sample is drawn with a fixed seed, so a rebuild on the same data gives the same fit.
SAMPLE_SEED = 20051


class ClvFitError(RuntimeError):
    """Raised only with clv_on_insufficient_data: error."""


@dataclass(frozen=True)
class ClvSettings:
    """The project's clv_* vars, typed (they reach Python models and commands as text)."""

    time_unit: str
    short_window_days: float
    long_window_days: float
    horizon_months: int
    monthly_discount_rate: float
    holdout_days: float
    on_insufficient_data: str
    max_fit_customers: int
    refit_after_days: float = 0.0
    refit_population_change: float = 0.0

    @classmethod
    def from_vars(cls, get: Any) -> ClvSettings:
        """`get(name)` returns var `name` (dbt.config.get in a Python model, a dict's get
        in a command)."""
        return cls(
            time_unit=str(get("clv_time_unit")).strip().lower(),
            short_window_days=float(get("clv_short_window_days")),
            long_window_days=float(get("clv_long_window_days")),
            horizon_months=int(get("clv_horizon_months")),
            monthly_discount_rate=float(get("clv_monthly_discount_rate")),
            holdout_days=float(get("clv_holdout_days")),
            on_insufficient_data=str(get("clv_on_insufficient_data")).strip().lower(),
            max_fit_customers=int(get("clv_max_fit_customers")),
            refit_after_days=float(get("clv_refit_after_days")),
            refit_population_change=float(get("clv_refit_population_change")),
        )


def summary_facts(purpose: str, summary: pd.DataFrame, time_unit: str) -> dict[str, Any]:
    """The SUMMARY_FACT_COLUMNS of one purpose's calibration summary."""
    return {
        "fit_purpose": purpose,
        "calibration_end_date": summary["calibration_end_date"].iloc[0] if len(summary) else None,
        "time_unit": time_unit,
        "customers": len(summary),
        "repeat_customers": int((summary["repeat_transactions"] > 0).sum()),
    }


def fit_one(purpose: str, summary: pd.DataFrame, time_unit: str,
            max_fit_customers: int) -> dict[str, Any]:
    """One fit's row of FIT_COLUMNS."""
    row = {
        **summary_facts(purpose, summary, time_unit),
        "fit_status": "fitted",
        "fit_status_reason": None,
        "parameters_calibration_end_date": (
            summary["calibration_end_date"].iloc[0] if len(summary) else None),
        "parameters_customers": len(summary),
    }
    # Maximum likelihood on a large random sample gives the same parameters to a fraction
    # of a percent; the likelihood's cost grows with every distinct customer summary.
    if len(summary) > max_fit_customers:
        summary = summary.sample(n=max_fit_customers, random_state=SAMPLE_SEED)
    row["fitted_on_customers"] = len(summary)
    x = summary["repeat_transactions"].to_numpy(dtype=float)
    m = summary["mean_repeat_value"].fillna(0).to_numpy(dtype=float)
    try:
        bgnbd = fit_bgnbd(x, summary["time_to_last_purchase"].to_numpy(dtype=float),
                          summary["observation_time"].to_numpy(dtype=float))
        spend = fit_gamma_gamma(x, m)
    except InsufficientDataError as error:
        return {**row, "fit_status": "insufficient_data", "fit_status_reason": str(error)}
    except Exception as error:  # a fit must never take the segments down
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
    problem = assess_fit(bgnbd, spend)
    if problem:
        row.update({"fit_status": "unreliable", "fit_status_reason": problem})
    return row


def refit_reason(previous: dict[str, Any] | None, summary: pd.DataFrame,
                 settings: ClvSettings) -> str | None:
    """Why the parameters must be fitted again on `summary` (one purpose's calibration
    summary), or None when the previous fit of that purpose is kept."""
    if previous is None or pd.isna(previous.get("parameters_calibration_end_date")):
        return "no earlier fit"
    if previous["fit_status"] != "fitted":
        return f"the earlier fit is {previous['fit_status']}"
    if previous["time_unit"] != settings.time_unit:
        return f"the time unit changed ({previous['time_unit']} -> {settings.time_unit})"
    if not len(summary):
        return "no customers"
    today = pd.Timestamp(summary["calibration_end_date"].iloc[0])
    fitted = pd.Timestamp(previous["parameters_calibration_end_date"])
    age_days = (today - fitted).days
    if age_days < 0:
        return f"the calibration end moved back to {today.date()} from {fitted.date()}"
    if age_days >= settings.refit_after_days:
        return (f"the parameters are {age_days} days old "
                f"(clv_refit_after_days: {settings.refit_after_days:g})")
    change = abs(len(summary) - previous["parameters_customers"]) / max(
        previous["parameters_customers"], 1)
    if change > settings.refit_population_change:
        return (f"the customers changed by {change:.1%} since the fit "
                f"(clv_refit_population_change: {settings.refit_population_change:.1%})")
    return None


def fit_table(summary: pd.DataFrame, settings: ClvSettings,
              previous_fits: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per fit (prediction, and holdout_validation unless clv_holdout_days is 0).
    A fit that is impossible or unreliable never raises unless clv_on_insufficient_data is
    `error`: it says why in fit_status_reason, and the predictions are left empty.
    `previous_fits` (the table this function returned last run) supplies the parameters
    of a purpose whose fit is kept (fit_decision `kept`, see refit_reason)."""
    purposes = ["prediction"]
    if settings.holdout_days > 0:
        purposes.append("holdout_validation")
    previous_rows: dict[str, dict[str, Any]] = {}
    if previous_fits is not None and set(FIT_COLUMNS) <= set(previous_fits.columns):
        # Typed as this function types them, whichever engine they were read back from
        # (PostgreSQL returns bigint columns as Decimal).
        previous_fits = previous_fits.astype(FIT_DTYPES)
        previous_rows = {str(row["fit_purpose"]): {str(key): value for key, value in row.items()}
                         for row in previous_fits.to_dict("records")}
    rows = []
    for purpose in purposes:
        customers = summary[summary["fit_purpose"] == purpose].sort_values("customer_id")
        previous = previous_rows.get(purpose)
        reason = refit_reason(previous, customers, settings)
        if reason is None and previous is not None:
            row = {column: previous[column] for column in FITTED_COLUMNS}
            row.update({
                **summary_facts(purpose, customers, settings.time_unit),
                "fit_decision": "kept",
                "fit_decision_reason": (
                    "parameters fitted on the summary as of "
                    f"{pd.Timestamp(previous['parameters_calibration_end_date']).date()}"
                    f" ({previous['parameters_customers']} customers)"),
            })
        else:
            row = fit_one(purpose, customers, settings.time_unit, settings.max_fit_customers)
            row.update({"fit_decision": "fitted", "fit_decision_reason": reason})
        rows.append(row)
    prediction = rows[0]
    # Only the fit behind the predictions can stop the build; a holdout too early in the
    # data's history just means no validation.
    if settings.on_insufficient_data == "error" and prediction["fit_status"] != "fitted":
        raise ClvFitError(
            f"Cannot fit the CLV models (prediction fit, {prediction['fit_status']}): "
            f"{prediction['fit_status_reason']} Set var clv_on_insufficient_data: warn to "
            "build everything else with the predictions empty."
        )
    fits = pd.DataFrame(rows, columns=FIT_COLUMNS).astype(FIT_DTYPES)
    for column in ("calibration_end_date", "parameters_calibration_end_date"):
        fits[column] = pd.to_datetime(fits[column])
    return fits


def prediction_table(summary: pd.DataFrame, fits: pd.DataFrame,
                     settings: ClvSettings) -> pd.DataFrame:
    """Per fit and customer: prediction fit, every customer of the summary with clv_status
    `predicted` and the predictions, or the fit's status and empty predictions when it
    cannot be trusted; holdout_validation fit (only when fitted), expected transactions
    over the days held out beside the actual count."""
    days_per_unit = DAYS_PER_UNIT[settings.time_unit]
    short_window = settings.short_window_days / days_per_unit
    long_window = settings.long_window_days / days_per_unit
    holdout = settings.holdout_days / days_per_unit
    horizon_months = settings.horizon_months
    discount = settings.monthly_discount_rate

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
            bgnbd = BgNbdParameters(fit["bgnbd_r"], fit["bgnbd_alpha"], fit["bgnbd_a"],
                                    fit["bgnbd_b"], fit["bgnbd_log_likelihood"], True)
            spend = GammaGammaParameters(fit["gamma_gamma_p"], fit["gamma_gamma_q"],
                                         fit["gamma_gamma_gamma"],
                                         fit["gamma_gamma_log_likelihood"], True)
            x = customers["repeat_transactions"].to_numpy(dtype=float)
            t_x = customers["time_to_last_purchase"].to_numpy(dtype=float)
            T = customers["observation_time"].to_numpy(dtype=float)
            m = customers["mean_repeat_value"].fillna(0).to_numpy(dtype=float)
            if is_prediction:
                frame["probability_alive"] = probability_alive(bgnbd, x, t_x, T)
                frame["expected_transactions_short_window"] = expected_transactions(
                    bgnbd, short_window, x, t_x, T)
                frame["expected_transactions_long_window"] = expected_transactions(
                    bgnbd, long_window, x, t_x, T)
                frame["expected_average_order_value"] = expected_average_order_value(
                    spend, x, m)
                frame["predicted_clv"] = predicted_lifetime_value(
                    bgnbd, spend, x, t_x, T, m, horizon_months, discount,
                    time_units_per_month=365.25 / 12 / days_per_unit)
            else:
                frame["expected_holdout_transactions"] = expected_transactions(
                    bgnbd, holdout, x, t_x, T)
                frame["holdout_transactions"] = customers["holdout_transactions"].to_numpy()
        frames.append(frame)
    empty = pd.DataFrame({column: pd.Series(dtype="object")
                          for column in PREDICTION_COLUMNS[:3]})
    predictions = pd.concat([empty, *frames], ignore_index=True)
    return predictions.reindex(columns=PREDICTION_COLUMNS).astype(
        dict.fromkeys(PREDICTION_VALUE_COLUMNS, "float64"))
