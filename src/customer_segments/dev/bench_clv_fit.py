"""Benchmark the BG/NBD fit against the `lifetimes` package on the same data.

Two data sets of 235,700 customers in weeks: the CDNOW calibration summary repeated 100
times (the published data at scale), and 235,700 customers simulated from the published
CDNOW parameters with purchase times in days (nearly every summary distinct). Prints a
Markdown table: seconds for each fit, the parameters' largest relative difference and
the log-likelihood difference.

    customer-segments bench-clv [--cdnow tests_py/fixtures/cdnow/CDNOW_sample.txt]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from customer_segments import clv
from customer_segments.ops.dbt_invoke import PROJECT_DIR

CUSTOMERS = 235_700
CDNOW_PARAMETERS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
CDNOW_SAMPLE = PROJECT_DIR / "tests_py" / "fixtures" / "cdnow" / "CDNOW_sample.txt"


def cdnow_calibration_summary(path: Path, as_of: str = "1997-09-30") -> pd.DataFrame:
    """The calibration summary int_customers_clv_summary computes, in weeks, from the raw
    CDNOW file (purchase days; the first excluded from the mean repeat value)."""
    rows = pd.read_csv(path, sep=r"\s+", header=None, dtype={"date": str},
                       names=["full_id", "customer_id", "date", "cds", "value"])
    rows["date"] = pd.to_datetime(rows["date"])
    rows = rows[rows["date"] <= as_of]
    days = rows.groupby(["customer_id", "date"], as_index=False)[["value"]].sum().sort_values(
        ["customer_id", "date"])
    by_customer = days.groupby("customer_id")
    first, last = by_customer["date"].min(), by_customer["date"].max()
    repeats = by_customer.size() - 1
    repeat_value = by_customer["value"].sum() - by_customer["value"].first()
    return pd.DataFrame({
        "customer_id": first.index.astype(str),
        "calibration_end_date": pd.Timestamp(as_of),
        "repeat_transactions": repeats.to_numpy(),
        "time_to_last_purchase": ((last - first).dt.days / 7).to_numpy(),
        "observation_time": ((pd.Timestamp(as_of) - first).dt.days / 7).to_numpy(),
        "mean_repeat_value": (repeat_value / repeats.where(repeats > 0)).to_numpy(),
    })


def simulated_summary(customers: int, seed: int = 7) -> tuple[np.ndarray, ...]:
    """BG/NBD customers: rate ~ Gamma(r, 1/alpha) per week, dropout after each repeat
    purchase with p ~ Beta(a, b), first purchases spread over 12 weeks, times in days."""
    rng = np.random.default_rng(seed)
    p = CDNOW_PARAMETERS
    rate = rng.gamma(p["r"], 1 / p["alpha"], customers)
    dropout = rng.beta(p["a"], p["b"], customers)
    T = rng.integers(27 * 7, 39 * 7 + 1, customers) / 7
    # No dropout at the first purchase; after the k-th repeat purchase, with probability p.
    repeats_while_alive = rng.geometric(dropout)
    gaps = rng.exponential(1.0, (customers, 60)) / rate[:, None]
    times = np.floor(np.cumsum(gaps, axis=1) * 7) / 7
    made = (times <= T[:, None]) & (np.arange(60)[None, :] < repeats_while_alive[:, None])
    x = made.sum(axis=1).astype(float)
    t_x = np.where(x > 0, np.where(made, times, 0).max(axis=1), 0.0)
    return x, t_x, T


def fit_both(x, t_x, T) -> dict[str, float]:
    from lifetimes import BetaGeoFitter

    began = time.perf_counter()
    ours = clv.fit_bgnbd(x, t_x, T)
    our_seconds = time.perf_counter() - began
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = BetaGeoFitter().fit(x, t_x, T)
    their_seconds = time.perf_counter() - began
    our_params = np.array([ours.r, ours.alpha, ours.a, ours.b])
    their_params = theirs.params_[["r", "alpha", "a", "b"]].to_numpy()
    their_log_likelihood = clv.bgnbd_log_likelihood(their_params, x, t_x, T).sum()
    return {
        "ours": our_seconds, "lifetimes": their_seconds,
        "parameters": float(np.max(np.abs(our_params / their_params - 1))),
        "log_likelihood": float(ours.log_likelihood - their_log_likelihood),
        "distinct": len(np.unique(np.column_stack([x, t_x, T]), axis=0)),
    }


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--cdnow", type=Path, default=CDNOW_SAMPLE)
    args = parser.parse_args(argv)
    summary = cdnow_calibration_summary(args.cdnow)
    x, t_x, T = (summary[column].to_numpy(dtype=float) for column in
                 ("repeat_transactions", "time_to_last_purchase", "observation_time"))
    copies = -(-CUSTOMERS // len(x))
    data = {
        f"CDNOW summary x {copies} ({len(x) * copies:,} customers)":
            tuple(np.tile(column, copies) for column in (x, t_x, T)),
        f"simulated from the CDNOW parameters ({CUSTOMERS:,} customers)":
            simulated_summary(CUSTOMERS),
    }
    print("| data | distinct summaries | our fit (s) | lifetimes (s) | largest parameter "
          "difference | log-likelihood ours - lifetimes |")
    print("|---|---|---|---|---|---|")
    for label, columns in data.items():
        result = fit_both(*columns)
        print(f"| {label} | {result['distinct']:,} | {result['ours']:.2f} | "
              f"{result['lifetimes']:.2f} | {result['parameters']:.1e} | "
              f"{result['log_likelihood']:+.2e} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
