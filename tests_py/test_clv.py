"""Predicted lifetime value: the BG/NBD and Gamma-Gamma fits reproduce the published CDNOW
results, inside `dbt build`, and fitting on too little data fails clearly."""

from __future__ import annotations

from pathlib import Path

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
    assert (fit["customers"], fit["repeat_customers"], fit["gamma_gamma_customers"]) == (2357, 946, 946)
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
    assert float(summary["expected_average_order_value"]) == pytest.approx(population_mean, abs=0.01)


def test_too_little_data_fails_with_a_clear_message(tmp_path, build):
    folder = write_raw(tmp_path / "raw", orders=[
        order(f"o{index}", f"c{index}", "2024-05-01", "10.00") for index in range(5)
    ])
    run = build(folder, clv_on_insufficient_data="error")
    assert not run.success
    assert "Cannot fit the CLV models (prediction fit): BG/NBD needs at least 20 customers" in run.messages


def test_too_little_data_can_be_skipped(tmp_path, build):
    folder = write_raw(tmp_path / "raw", orders=[
        order(f"o{index}", f"c{index}", "2024-05-01", "10.00") for index in range(5)
    ])
    run = build(folder, clv_on_insufficient_data="skip")
    assert_built(run)
    assert run.query("select fit_purpose, fit_error is not null from marts.fct_clv_model_parameters "
                     "order by fit_purpose") == [("holdout_validation", True), ("prediction", True)]
    assert run.query("select count(predicted_clv) from marts.dim_customers") == [(0,)]


def test_fit_functions_reject_nonsense():
    with pytest.raises(clv.InsufficientDataError):
        clv.fit_bgnbd([0] * 30, [0] * 30, [5] * 30)  # nobody ever came back
    with pytest.raises(ValueError):
        clv.fit_bgnbd([1] * 30, [6] * 30, [5] * 30)  # last purchase after the end
