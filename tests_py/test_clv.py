"""Predicted lifetime value: the BG/NBD and Gamma-Gamma fits reproduce the published CDNOW
results, inside `dbt build`, and fitting on too little data fails clearly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import assert_built, order, write_raw
from customer_segments import clv

CDNOW = Path(__file__).parent / "fixtures" / "cdnow" / "CDNOW_sample.txt"
PUBLISHED_BGNBD = {"bgnbd_r": 0.243, "bgnbd_alpha": 4.414, "bgnbd_a": 0.793, "bgnbd_b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"gamma_gamma_p": 6.25, "gamma_gamma_q": 3.74, "gamma_gamma_gamma": 15.44}


def cdnow_raw_folder(folder: Path) -> Path:
    """The CDNOW sample under the raw-data contract: one completed USD order per row."""
    rows = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype=str,
                       names=["full_id", "customer_id", "date", "cds", "value"])
    orders = [
        order(f"cdnow-{index}", row.customer_id,
              f"{row.date[:4]}-{row.date[4:6]}-{row.date[6:]}", row.value)
        for index, row in enumerate(rows.itertuples(), start=1)
    ]
    return write_raw(folder, orders=orders)


@pytest.fixture(scope="module")
def cdnow_build(tmp_path_factory):
    from conftest import run_dbt

    tmp_path = tmp_path_factory.mktemp("cdnow")
    folder = cdnow_raw_folder(tmp_path / "raw")
    run = run_dbt(
        ["build", "--exclude-resource-type", "unit_test"],
        database=tmp_path / "warehouse.duckdb",
        variables={"raw_data_path": str(folder), "as_of_date": "1997-09-30",
                   "clv_time_unit": "week", "clv_holdout_days": 0},
    )
    assert_built(run)
    return run


def test_cdnow_parameters_match_the_literature(cdnow_build):
    fit = cdnow_build.query_dicts(
        "select * from marts.fct_clv_model_parameters where fit_purpose = 'prediction'"
    )[0]
    assert (fit["customers"], fit["repeat_customers"], fit["gamma_gamma_customers"]) == (
        2357, 946, 946)
    assert fit["time_unit"] == "week"
    assert fit["bgnbd_converged"] and fit["gamma_gamma_converged"]
    for name, published in {**PUBLISHED_BGNBD, **PUBLISHED_GAMMA_GAMMA}.items():
        assert fit[name] == pytest.approx(published, rel=0.005), name
    assert fit["bgnbd_log_likelihood"] == pytest.approx(-9582.4, abs=0.1)


def test_cdnow_worked_example(cdnow_build):
    fit = cdnow_build.query_dicts(
        "select * from marts.fct_clv_model_parameters where fit_purpose = 'prediction'"
    )[0]
    params = clv.BgNbdParameters(fit["bgnbd_r"], fit["bgnbd_alpha"], fit["bgnbd_a"],
                                 fit["bgnbd_b"], fit["bgnbd_log_likelihood"], True)
    x, t_x, T = np.array([2.0]), np.array([30.43]), np.array([38.86])
    assert round(float(clv.expected_transactions(params, 39, x, t_x, T)[0]), 3) == 1.226
    assert round(float(clv.probability_alive(params, x, t_x, T)[0]), 3) == 0.727


def test_cdnow_predictions_reach_dim_customers(cdnow_build):
    rows = cdnow_build.query_dicts(
        "select count(*) as customers, count(predicted_clv) as predicted, "
        "min(probability_alive) as lowest_p_alive, max(probability_alive) as highest_p_alive, "
        "min(predicted_clv) as lowest_clv, count(distinct predicted_value_decile) as deciles "
        "from marts.dim_customers"
    )[0]
    assert rows["customers"] == rows["predicted"] == 2357
    assert 0 < rows["lowest_p_alive"] <= rows["highest_p_alive"] <= 1
    assert rows["lowest_clv"] >= 0
    assert rows["deciles"] == 10


def test_single_day_customers_are_kept_and_predicted_as_new(cdnow_build):
    # A customer with no repeat purchase (x = 0): P(alive) is 1 and the expected order
    # value is the population mean.
    summary = cdnow_build.query_dicts(
        "select s.repeat_transactions, d.probability_alive, d.expected_average_order_value "
        "from intermediate.int_customers_clv_summary s "
        "join marts.dim_customers d using (customer_id) where s.repeat_transactions = 0 limit 1"
    )[0]
    assert summary["probability_alive"] == pytest.approx(1.0)
    fit = cdnow_build.query_dicts("select * from marts.fct_clv_model_parameters")[0]
    population_mean = fit["gamma_gamma_gamma"] * fit["gamma_gamma_p"] / (fit["gamma_gamma_q"] - 1)
    assert float(summary["expected_average_order_value"]) == pytest.approx(population_mean,
                                                                           abs=0.01)


def test_too_little_data_fails_with_a_clear_message_when_asked_to(tmp_path, build):
    folder = write_raw(tmp_path / "raw", orders=[
        order(f"o{index}", f"c{index}", "2024-05-01", "10.00") for index in range(5)
    ])
    run = build(folder, clv_on_insufficient_data="error")
    assert not run.success
    assert ("Cannot fit the CLV models (prediction fit, insufficient_data): BG/NBD needs at "
            "least 20 customers") in run.messages


def test_a_small_shop_gets_every_segment_and_clv_says_why_it_is_empty(tmp_path):
    """100 customers with one order each, default vars: no repeat buyers, so no CLV fit,
    and nothing else may suffer for it."""
    from conftest import run_dbt

    folder = write_raw(tmp_path / "raw", orders=[
        order(f"o{index:03d}", f"c{index:03d}", "2024-05-01", f"{10 + index}.00")
        for index in range(100)
    ])
    run = run_dbt(["build", "--exclude-resource-type", "unit_test"],
                  database=tmp_path / "warehouse.duckdb",
                  variables={"raw_data_path": str(folder)})
    assert_built(run)
    # The only message is the warning that says CLV is not usable.
    assert run.messages.splitlines() and all(
        "clv_prediction_fit_is_usable" in line and ": warn:" in line
        for line in run.messages.splitlines()), run.messages
    assert run.query("select customer_id from marts.dim_customers where is_top_customer "
                     "order by customer_id") == [(f"c{index:03d}",) for index in range(90, 100)]
    assert run.query("select clv_status, count(*), count(predicted_clv), count(probability_alive), "
                     "count(predicted_value_decile) from marts.dim_customers group by all") == [
        ("insufficient_data", 100, 0, 0, 0)]
    assert run.query_dicts(
        "select fit_purpose, fit_status, fit_status_reason from marts.fct_clv_model_parameters "
        "order by fit_purpose") == [
        {"fit_purpose": "holdout_validation", "fit_status": "insufficient_data",
         "fit_status_reason": "BG/NBD needs at least 20 customers and 10 with a repeat "
                              "purchase; got 0 and 0."},
        {"fit_purpose": "prediction", "fit_status": "insufficient_data",
         "fit_status_reason": "BG/NBD needs at least 20 customers and 10 with a repeat "
                              "purchase; got 100 and 0."},
    ]
    assert run.query("select count(*) from marts.fct_customer_segments "
                     "where segment_name = 'Top Customers'") == [(10,)]


def test_customers_without_a_completed_order_say_so(tmp_path, build):
    folder = write_raw(tmp_path / "raw", orders=[
        order("o1", "buyer", "2024-05-01", "10.00"),
        order("o2", "pending-only", "2024-05-01", "10.00", status="pending"),
    ])
    run = build(folder)
    assert_built(run)
    assert run.query("select customer_id, clv_status from marts.dim_customers "
                     "order by customer_id") == [("buyer", "insufficient_data"),
                                                 ("pending-only", "no_completed_order")]


def test_fit_functions_reject_nonsense():
    with pytest.raises(clv.InsufficientDataError):
        clv.fit_bgnbd([0] * 30, [0] * 30, [5] * 30)  # nobody ever came back
    with pytest.raises(ValueError):
        clv.fit_bgnbd([1] * 30, [6] * 30, [5] * 30)  # last purchase after the end


def cdnow_calibration_summary(as_of: str = "1997-09-30") -> pd.DataFrame:
    from customer_segments.dev.bench_clv_fit import cdnow_calibration_summary as summarise

    return summarise(CDNOW, as_of)


def test_a_fit_that_cannot_be_trusted_says_why_instead_of_predicting(monkeypatch):
    from customer_segments.clv import tables as fits

    summary = cdnow_calibration_summary()
    assert fits.fit_one("prediction", summary, "week", 10**6)["fit_status"] == "fitted"

    def heavy_tailed_spend(x, m):
        return clv.GammaGammaParameters(2.0, 0.8, 10.0, -1.0, True)

    monkeypatch.setattr(fits, "fit_gamma_gamma", heavy_tailed_spend)
    row = fits.fit_one("prediction", summary, "week", 10**6)
    assert (row["fit_status"], row["fit_status_reason"]) == (
        "unreliable", "Gamma-Gamma q = 0.8 <= 1: the population's mean spend per transaction "
                      "is infinite.")

    def broken(x, m):
        raise FloatingPointError("overflow in exp")

    monkeypatch.setattr(fits, "fit_gamma_gamma", broken)
    row = fits.fit_one("prediction", summary, "week", 10**6)
    assert (row["fit_status"], row["fit_status_reason"]) == (
        "failed", "the fit raised FloatingPointError: overflow in exp")


def test_fit_assessment_names_the_problem():
    good_spend = clv.GammaGammaParameters(6.25, 3.74, 15.44, -4055.9, True)
    good = clv.BgNbdParameters(0.243, 4.414, 0.793, 2.426, -9582.4, True)
    assert clv.assess_fit(good, good_spend) is None
    # b at its bound is the NBD limit (no dropout observed yet): a usable answer.
    assert clv.assess_fit(clv.BgNbdParameters(0.5, 8.8, 3.4, 1e14, -1.0, True), good_spend) is None
    assert clv.assess_fit(clv.BgNbdParameters(0.243, 4.414, 0.793, 2.426, -9582.4, False),
                          good_spend) == "the BG/NBD optimiser did not converge."
    assert clv.assess_fit(good, clv.GammaGammaParameters(6.25, 3.74, 15.44, -1.0, False)) == (
        "the Gamma-Gamma optimiser did not converge.")
    assert clv.assess_fit(clv.BgNbdParameters(1e14, 4.414, 0.793, 2.426, -1.0, True),
                          good_spend).startswith("parameter r reached the optimiser's bound")
    assert clv.assess_fit(clv.BgNbdParameters(float("nan"), 4.4, 0.8, 2.4, -1.0, True),
                          good_spend) == "the fit returned non-finite values (r)."


def test_the_first_month_of_a_real_shop_predicts_sound_values(tmp_path):
    """CDNOW as of the end of its first month, default vars: whatever the fit, every
    prediction is finite and non-negative and the build passes its tests."""
    from conftest import run_dbt

    folder = cdnow_raw_folder(tmp_path / "raw")
    run = run_dbt(["build", "--exclude-resource-type", "unit_test"],
                  database=tmp_path / "warehouse.duckdb",
                  variables={"raw_data_path": str(folder), "as_of_date": "1997-01-31"})
    assert_built(run)
    status = run.query("select fit_status from marts.fct_clv_model_parameters "
                       "where fit_purpose = 'prediction'")
    sound = run.query(
        "select count(*) from marts.dim_customers where clv_status = 'predicted' and not ("
        "isfinite(expected_transactions_long_window) and expected_transactions_short_window >= 0 "
        "and expected_transactions_long_window >= expected_transactions_short_window "
        "and probability_alive between 0 and 1 and predicted_clv >= 0)")
    assert status == [("fitted",)] and sound == [(0,)]


def test_month_by_month_replay_from_the_first_month_end_passes_every_build(tmp_path):
    """A scheduled shop from day one: CDNOW built as of every month-end from 1997-01-31
    to 1998-06-30 into one database, tests included, default vars."""
    from conftest import run_dbt

    folder = cdnow_raw_folder(tmp_path / "raw")
    statuses = []
    for month_end in pd.date_range("1997-01-31", "1998-06-30", freq="ME"):
        run = run_dbt(["build", "--exclude-resource-type", "unit_test"],
                      database=tmp_path / "warehouse.duckdb",
                      variables={"raw_data_path": str(folder),
                                 "as_of_date": month_end.date().isoformat()})
        assert run.success, f"as of {month_end.date()}:\n{run.messages}"
        statuses.append((month_end.date().isoformat(), run.query(
            "select fit_purpose, fit_status from marts.fct_clv_model_parameters order by 1")))
    assert len(statuses) == 18
    # The prediction fit is usable every month, except perhaps 1997-02-28: there the
    # likelihood's optimum is on its boundary (a and b -> 0: a Beta that degenerates to
    # "never drop out" or "drop out at once"), a flat valley in which where L-BFGS-B stops
    # (near the bound, or at it: then CLV says why and stays empty) differs between
    # machines' floating-point reductions. The holdout fit is usable once 180 days of
    # history precede the holdout.
    assert {month for month, fits in statuses if dict(fits)["prediction"] != "fitted"} <= {
        "1997-02-28"}
    assert dict(statuses[-1][1])["holdout_validation"] == "fitted"


def cadence_settings(**overrides: Any) -> Any:
    """ClvSettings with a 7-day, 5% refit cadence and no holdout, unless overridden."""
    from customer_segments.clv import tables as clv_tables

    values: dict[str, Any] = {
        "time_unit": "week", "short_window_days": 90, "long_window_days": 365,
        "horizon_months": 12, "monthly_discount_rate": 0.01, "holdout_days": 0,
        "on_insufficient_data": "warn", "max_fit_customers": 10**6,
        "refit_after_days": 7, "refit_population_change": 0.05, **overrides,
    }
    return clv_tables.ClvSettings(**values)


def prediction_summary(as_of: str) -> pd.DataFrame:
    return cdnow_calibration_summary(as_of).assign(fit_purpose="prediction")


def test_parameters_are_kept_until_the_refit_cadence_says_refit():
    from customer_segments.clv import tables as clv_tables

    settings = cadence_settings()
    first = clv_tables.fit_table(prediction_summary("1997-09-30"), settings)
    assert first[["fit_decision", "fit_decision_reason"]].values.tolist() == [
        ["fitted", "no earlier fit"]]

    # Six days later: the parameters are kept, the summary (and so the predictions) is new.
    six_days = prediction_summary("1997-10-06")
    kept = clv_tables.fit_table(six_days, settings, first).iloc[0]
    assert kept["fit_decision"] == "kept"
    assert kept["fit_decision_reason"] == (
        "parameters fitted on the summary as of 1997-09-30 (2357 customers)")
    assert (kept["bgnbd_r"], kept["gamma_gamma_q"]) == (first.iloc[0]["bgnbd_r"],
                                                         first.iloc[0]["gamma_gamma_q"])
    assert kept["calibration_end_date"] == pd.Timestamp("1997-10-06")
    assert kept["parameters_calibration_end_date"] == pd.Timestamp("1997-09-30")
    fresh = clv_tables.fit_table(six_days, cadence_settings(refit_after_days=0)).iloc[0]
    assert fresh["bgnbd_r"] != kept["bgnbd_r"]
    predicted = clv_tables.prediction_table(six_days, pd.DataFrame([kept]), settings)
    assert len(predicted) == len(six_days) and predicted["predicted_clv"].notna().all()

    # Seven days after the fit: refit, and the row says why.
    seven_days = clv_tables.fit_table(prediction_summary("1997-10-07"), settings,
                                      pd.DataFrame([kept])).iloc[0]
    assert (seven_days["fit_decision"], seven_days["fit_decision_reason"]) == (
        "fitted", "the parameters are 7 days old (clv_refit_after_days: 7)")


def test_a_changed_population_a_bad_fit_or_other_settings_refit_at_once():
    from customer_segments.clv import tables as clv_tables

    settings = cadence_settings()
    summary = prediction_summary("1997-09-30")
    first = clv_tables.fit_table(summary, settings)

    def reason(previous, customers=summary, **overrides):
        return clv_tables.refit_reason(previous.iloc[0].to_dict(), customers,
                                       cadence_settings(**overrides))

    assert reason(first) is None
    # 2,357 customers at the fit: 5% is 117.85 customers either way.
    assert reason(first, summary.iloc[:2357 - 117]) is None
    assert reason(first, summary.iloc[:2357 - 118]) == (
        "the customers changed by 5.0% since the fit (clv_refit_population_change: 5.0%)")
    assert reason(first, time_unit="day") == "the time unit changed (week -> day)"
    earlier = prediction_summary("1997-09-29")
    assert reason(first, earlier) == (
        "the calibration end moved back to 1997-09-29 from 1997-09-30")
    unreliable = first.assign(fit_status="unreliable")
    assert reason(unreliable) == "the earlier fit is unreliable"
    # A table from before the cadence existed is no earlier fit.
    old_table = first.drop(columns=["parameters_customers"])
    assert clv_tables.fit_table(summary, settings, old_table).iloc[0]["fit_decision"] == "fitted"
