"""Benchmark: generate data at a size, build it, and measure against two references.

    customer-segments bench --size 1000000            # or: make bench SIZE=1000000
    customer-segments bench --size 10000000 --pandas  # also time the pandas version

For each size it prints a markdown table: data generation, the full `dbt build` (wall
time and peak memory), publishing it, the models on the path from raw orders to lifetime
spend and the Top Customers threshold (from run_results.json), the heaviest models, and two
references measured on the same data in the same run: a single hand-written DuckDB query
computing lifetime spend and the threshold (the floor), and a straightforward pandas
implementation (what an analyst would write). Ratios are the headline; timings are never
asserted anywhere. While it runs, each step's start and end go to stderr with the time
elapsed (a 40M-order run takes most of an hour).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb

from customer_segments.dev.increment import append_increment, remove_increments
from customer_segments.ops.dbt_invoke import PROJECT_DIR

# The daily load an incremental run is measured on, as a fraction of the orders, and how
# long before it the history's files landed (their modification time is set to that).
INCREMENT_FRACTION = 0.001
HISTORY_LANDED_DAYS_AGO = 30
# The generated history lands all at once (a chunk holds customers, not days), so any
# lookback window would re-read all of it; daily files would re-read only their last days.
LOOKBACK_DAYS = 0
# DuckDB's memory limit for the builds (the profile's default; it spills beyond it), and
# one model at a time, so a Python model's data never sits beside another model's DuckDB
# working memory. At 40M orders a 5GB limit fails (a 44M-row history table cannot commit).
MEMORY_LIMIT = os.environ.get("CUSTOMER_SEGMENTS_MEMORY_LIMIT", "8GB")
DBT_THREADS = os.environ.get("CUSTOMER_SEGMENTS_THREADS", "1")

# The models on the path raw orders -> lifetime spend -> threshold.
LIFETIME_SPEND_PATH = (
    "base_shop__exchange_rates_checked", "base_shop__exchange_rates_daily",
    "base_shop__orders_checked", "base_shop__order_ids", "base_shop__refunds_checked",
    "int_reporting_period", "int_orders",
    "int_customer_order_totals", "int_customers_lifetime_spend", "int_top_customer_threshold",
)

FLOOR_QUERY = """
with rates as (
    select upper(currency) as currency, cast(rate_date as date) as rate_date,
           cast(rate_to_reporting as double) as rate
    from read_parquet('{data}/exchange_rates.parquet')
),
orders as (
    select o.order_id, o.customer_id, cast(o.ordered_at as date) as order_date,
           o.amount * case when o.currency = 'USD' then 1 else r.rate end as gross,
           lower(trim(o.status)) as status, coalesce(r.rate, 1) as rate
    from read_parquet('{data}/orders/*.parquet') o
    asof left join rates r on o.currency = r.currency and cast(o.ordered_at as date) >= r.rate_date
    where o.customer_id is not null and lower(trim(o.status)) in ('completed', 'refunded')
),
refunds as (
    select order_id, sum(amount) as refunded from read_parquet('{data}/refunds/*.parquet')
    group by order_id
),
spend as (
    select o.customer_id,
           sum(round(o.gross, 2) - case when o.status = 'refunded' then round(o.gross, 2)
               else least(round(o.gross, 2), round(coalesce(f.refunded, 0) * o.rate, 2)) end)
               as net
    from orders o left join refunds f using (order_id)
    group by o.customer_id
)
select count(*) filter (where net > 0) as population,
       quantile_disc(net, 0.9) filter (where net > 0) as threshold,
       sum(net) as net_revenue
from spend
"""

PANDAS_SCRIPT = """
import sys, pandas as pd
data = sys.argv[1]
orders = pd.read_parquet(f"{data}/orders")
rates = pd.read_parquet(f"{data}/exchange_rates.parquet")
refunds = pd.read_parquet(f"{data}/refunds")
orders = orders[orders["customer_id"].notna()]
orders["status"] = orders["status"].astype(str).str.strip().str.lower()
orders["currency"] = orders["currency"].astype(str)
rates["currency"] = rates["currency"].astype(str)
orders = orders[orders["status"].isin(["completed", "refunded"])]
orders["order_date"] = pd.to_datetime(orders["ordered_at"]).dt.normalize().astype("datetime64[ns]")
rates["rate_date"] = pd.to_datetime(rates["rate_date"]).astype("datetime64[ns]")
rates["rate"] = rates["rate_to_reporting"].astype(float)
orders = orders.sort_values("order_date")
orders = pd.merge_asof(orders, rates.sort_values("rate_date")[["currency", "rate_date", "rate"]],
                       left_on="order_date", right_on="rate_date", by="currency")
orders.loc[orders["currency"] == "USD", "rate"] = 1.0
orders["gross"] = (orders["amount"] * orders["rate"]).round(2)
refunded = refunds.groupby("order_id")["amount"].sum().rename("refunded")
orders = orders.join(refunded, on="order_id")
orders["refund"] = ((orders["refunded"].fillna(0) * orders["rate"]).round(2)
                    .clip(upper=orders["gross"]))
orders.loc[orders["status"] == "refunded", "refund"] = orders["gross"]
orders["net"] = orders["gross"] - orders["refund"]
spend = orders.groupby("customer_id")["net"].sum()
positive = spend[spend > 0].sort_values(ascending=False)
rank = -(-len(positive) // 10)
print(len(positive), positive.iloc[rank - 1], spend.sum())
"""


BENCH_STARTED = time.monotonic()


def progress(message: str) -> None:
    """One line on stderr: minutes:seconds since the bench started, then what happens."""
    elapsed = int(time.monotonic() - BENCH_STARTED)
    print(f"[bench {elapsed // 60:3d}:{elapsed % 60:02d}] {message}", file=sys.stderr, flush=True)


def timed(command: list[str], env: dict | None = None, step: str = "") -> tuple[float, float, str]:
    """(seconds, peak resident memory in GiB, output) of a command, via GNU time (which
    writes to a file of its own: the command's stderr may end without a newline)."""
    import tempfile

    if step:
        progress(f"{step} ...")
    with tempfile.NamedTemporaryFile("r", suffix=".time") as memory_file:
        started = time.monotonic()
        result = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", memory_file.name, *command],
                                capture_output=True, text=True,
                                env={**os.environ, **(env or {})}, cwd=PROJECT_DIR)
        seconds = time.monotonic() - started
        peak_kib = memory_file.read().strip().splitlines()[-1]
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n"
                           f"{result.stderr[-3000:]}")
    if step:
        progress(f"{step}: {seconds:.1f} s")
    return seconds, int(peak_kib) / 1024 / 1024, result.stdout


def bench_size(size: int, data_root: Path, with_pandas: bool, regenerate: bool) -> list[str]:
    python = sys.executable
    data = data_root / f"orders_{size}"
    rows: list[tuple[str, float | None, float | None, str]] = []
    if regenerate or not (data / "orders").exists():
        seconds, peak, _ = timed([python, "-m", "customer_segments.dev.generate_sample",
                                  "--orders", str(size), "--format", "parquet",
                                  "--out", str(data)], step=f"generate {size:,} orders")
        rows.append(("generate data (typed Parquet)", seconds, peak, ""))
    remove_increments(data)
    # The history landed well before today's load: outside the lookback window.
    landed = time.time() - HISTORY_LANDED_DAYS_AGO * 86400
    for path in data.rglob("*.parquet"):
        os.utime(path, (landed, landed))
    order_lines = duckdb.execute(
        f"select count(*) from read_parquet('{data}/order_items/*.parquet')").fetchall()[0][0]
    database = data / "warehouse.duckdb"
    target = data / "target"
    for stale in (database, Path(f"{database}.wal")):
        stale.unlink(missing_ok=True)
    shutil.rmtree(target, ignore_errors=True)

    def dbt_build(step: str) -> tuple[float, float, dict[str, float]]:
        """(seconds, peak GiB, execution seconds per model and snapshot, and of all data
        tests together under "data tests")."""
        seconds, peak, _ = timed(
            [str(Path(python).parent / "dbt"), "build", "--exclude-resource-type", "unit_test",
             "--target-path", str(target), "--vars", json.dumps(
                 {"raw_data_path": str(data), "incremental_lookback_days": LOOKBACK_DAYS})],
            env={"CUSTOMER_SEGMENTS_DUCKDB_PATH": str(database),
                 "CUSTOMER_SEGMENTS_MEMORY_LIMIT": MEMORY_LIMIT,
                 "CUSTOMER_SEGMENTS_THREADS": DBT_THREADS,
                 "DBT_PROFILES_DIR": str(PROJECT_DIR)},
            step=step,
        )
        results = json.loads((target / "run_results.json").read_text())["results"]
        timings = {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results
                   if r["unique_id"].startswith(("model.", "snapshot."))}
        timings["data tests"] = sum(r["execution_time"] for r in results
                                    if r["unique_id"].startswith("test."))
        return seconds, peak, timings

    build_seconds, build_peak, timings = dbt_build(f"full dbt build of {order_lines:,} lines")
    rows.append(("full `dbt build` (models, snapshot, data tests)", build_seconds, build_peak,
                 f"{order_lines:,} order lines"))
    publish_seconds, publish_peak, published = timed(
        [str(Path(python).parent / "customer-segments"), "publish", "--database", str(database),
         "--publication", str(data / "publication" / "customer_segments.duckdb"),
         "--target-path", str(target)], step="publish")
    rows.append(("publish the public tables (`customer-segments publish`)", publish_seconds,
                 publish_peak, published.strip().split(" to ")[0]))
    path_seconds = sum(timings.get(name, 0.0) for name in LIFETIME_SPEND_PATH)

    floor_seconds, floor_peak, floor_out = timed(
        [python, "-c", "import duckdb, sys; connection = duckdb.connect(); "
         "connection.execute('set enable_progress_bar = false'); "
         "print(connection.sql(sys.argv[1]).fetchall())",
         FLOOR_QUERY.format(data=data)], step="floor query")
    rows.append(("models raw -> lifetime spend -> threshold (sum of run_results)",
                 path_seconds, None, f"{path_seconds / floor_seconds:.1f}x the floor"))
    rows.append(("floor: one hand-written DuckDB query", floor_seconds, floor_peak,
                 floor_out.strip()))
    if with_pandas:
        pandas_seconds, pandas_peak, pandas_out = timed([python, "-c", PANDAS_SCRIPT, str(data)],
                                                   step="pandas reference")
        rows.append(("pandas implementation", pandas_seconds, pandas_peak,
                     f"{pandas_seconds / path_seconds:.2f}x the time of our models; "
                     f"{pandas_out.strip()}"))
    clv_seconds = (timings.get("int_clv_fits", 0.0)
                   + timings.get("int_customers_clv_predictions", 0.0))
    rows.append(("CLV: fit (`int_clv_fits`) + predictions for every customer", clv_seconds, None,
                 f"{size // 10:,} customers"))
    rows.append(("data tests (sum of run_results)", timings.pop("data tests"), None, ""))
    for name, seconds in sorted(timings.items(), key=lambda item: -item[1])[:8]:
        rows.append((f"model `{name}`", seconds, None, ""))

    progress(f"append a {INCREMENT_FRACTION:.1%} daily load")
    appended = append_increment(data, INCREMENT_FRACTION)
    incremental_seconds, incremental_peak, incremental_timings = dbt_build(
        "incremental dbt build")
    rows.append((f"incremental `dbt build` after appending {INCREMENT_FRACTION:.1%} new orders",
                 incremental_seconds, incremental_peak,
                 f"{incremental_seconds / build_seconds:.1%} of the full build; appended "
                 f"{appended['orders']:,} orders, {appended['order_items']:,} lines, "
                 f"{appended['refunds']:,} refunds"))
    incremental_path = sum(incremental_timings.get(name, 0.0) for name in LIFETIME_SPEND_PATH)
    rows.append(("incremental: models raw -> lifetime spend -> threshold", incremental_path,
                 None, f"{incremental_path / path_seconds:.1%} of their full-build time"))
    rows.append(("incremental: data tests (sum of run_results)",
                 incremental_timings.pop("data tests"), None, ""))
    for name, seconds in sorted(incremental_timings.items(), key=lambda item: -item[1])[:8]:
        rows.append((f"incremental: model `{name}`", seconds, None, ""))
    # The ratios the Scale targets are stated in (BENCHMARKS.md).
    rows.append(("ratio: incremental run / full build", None, None,
                 f"{incremental_seconds / build_seconds:.3f} (target: at most 0.10 at 100M "
                 "order lines, 0.25 at 10M)"))
    rows.append(("ratio: models raw -> threshold / floor", None, None,
                 f"{path_seconds / floor_seconds:.1f} (target: at most 3 at 100M order lines)"))
    rows.append(("ratio: peak memory / 6 GiB", None, None,
                 f"{max(build_peak, incremental_peak) / 6:.2f} (target: below 1 at 100M order "
                 "lines)"))

    lines = [f"### {size:,} orders ({order_lines:,} order lines)", "",
             "| step | seconds | peak memory (GiB) | note |", "|---|---|---|---|"]
    for step, step_seconds, step_peak, note in rows:
        memory = f"{step_peak:.2f}" if step_peak is not None else ""
        seconds_text = f"{step_seconds:.1f}" if step_seconds is not None else ""
        lines.append(f"| {step} | {seconds_text} | {memory} | {note} |")
    return lines


def machine_description() -> str:
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024 ** 3
    import duckdb

    return (f"{platform.machine()}, {os.cpu_count()} cores, {memory_gib:.0f} GiB, "
            f"Python {platform.python_version()}, DuckDB {duckdb.__version__}")


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, action="append", required=True,
                        help="orders to generate (repeat for several sizes)")
    parser.add_argument("--data-root", type=Path, default=PROJECT_DIR / "bench" / "data")
    parser.add_argument("--pandas", action="store_true", help="also time the pandas version")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)
    print(f"Machine: {machine_description()}; DuckDB memory limit {MEMORY_LIMIT}, "
          f"dbt threads {DBT_THREADS}\n")
    for size in args.size:
        print("\n".join(bench_size(size, args.data_root, args.pandas, args.regenerate)))
        print()
    print(textwrap.dedent("""\
        Peak memory is the largest resident set of the step's process tree (GNU time)."""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
