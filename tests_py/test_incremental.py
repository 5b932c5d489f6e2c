"""Incremental runs give exactly what full rebuilds give.

The bundled sample lands first; three more batches land after it, each followed by an
incremental `dbt build` into one database and a `dbt build --full-refresh` into another.
After every batch, every table and view the project builds must hold the same rows in
both (only `refreshed_at`, which says when a row was written, may differ).

The batches hold what daily loads bring: new orders that move the as-of date, a late
order dated long ago, re-ingested versions (a new amount, a cancellation, a move to
another customer), an order line that arrives before its order, refunds of old orders
(one over what was paid), a restated exchange rate, a future-dated order, a re-ingested
order line, and a file that lands with an older modification time than the last one
read (picked up by the lookback window).
"""

from __future__ import annotations

import csv
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import TABLE_COLUMNS, DbtRun, assert_built, differences, order, run_dbt
from customer_segments.ops.dbt_invoke import PROJECT_DIR

SAMPLE = PROJECT_DIR / "data" / "sample"
FIRST_LANDING = datetime(2026, 1, 1, tzinfo=UTC)

BATCHES = [
    (
        timedelta(hours=1),  # within the lookback window of the sample's files
        {
            "orders": [
                order("O900000001", "C0000001", "2026-01-02 10:00:00", "100.00",
                      updated_at="2026-01-02T10:00:00Z"),
                # A late order, placed long ago in EUR on a Saturday (no rate published).
                order("O900000002", "C0000002", "2023-06-17 12:00:00", "50.00",
                      currency="EUR", updated_at="2026-01-02T10:00:00Z"),
                # A re-ingested version of an old order: a new amount.
                order("O000000032", "C0000113", "2023-01-06 10:36:02", "77.51",
                      updated_at="2026-01-02T09:00:00Z"),
            ],
            "order_items": [
                {"order_item_id": "L900000001", "order_id": "O900000001",
                 "product_id": "P0043", "quantity": "2", "unit_price": "50.00"},
                # Its order arrives in the next batch.
                {"order_item_id": "L900000003", "order_id": "O900000003",
                 "product_id": "P0043", "quantity": "1", "unit_price": "20.00"},
            ],
            "refunds": [
                {"refund_id": "R900000001", "order_id": "O000000032",
                 "refunded_at": "2026-01-02T11:00:00Z", "amount": "10.00"},
            ],
        },
    ),
    (
        timedelta(days=10),
        {
            "orders": [
                order("O900000003", "C0000004", "2024-03-01 08:00:00", "20.00",
                      updated_at="2026-01-03T08:00:00Z"),
                order("O900000004", "C0000005", "2026-01-03 09:00:00", "35.00",
                      updated_at="2026-01-03T09:00:00Z"),
                order("O900000005", "C0000006", "2099-06-01 00:00:00", "10.00"),
                # The new order of the last batch, refunded in full.
                order("O900000001", "C0000001", "2026-01-02 10:00:00", "100.00",
                      status="refunded", updated_at="2026-01-03T10:00:00Z"),
            ],
            "order_items": [
                {"order_item_id": "L900000004", "order_id": "O900000004",
                 "product_id": "P0105", "quantity": "1", "unit_price": "35.00"},
            ],
            "refunds": [
                {"refund_id": "R900000002", "order_id": "O000000032",
                 "refunded_at": "2026-01-03T11:00:00Z", "amount": "1000.00"},
            ],
        },
    ),
    (
        timedelta(days=20),
        {
            "orders": [
                # The late order moves to another customer; an old order is cancelled
                # after it was partly refunded.
                order("O900000002", "C0000003", "2023-06-17 12:00:00", "50.00",
                      currency="EUR", updated_at="2026-01-04T10:00:00Z"),
                order("O000000009", "C0001905", "2023-01-01T22:53:12+01:00", "67.69",
                      status="cancelled", currency="EUR", updated_at="2026-01-04T10:00:00Z"),
                order("O900000006", "C0000007", "2026-01-04 09:00:00", "12.34",
                      updated_at="2026-01-04T09:00:00Z"),
            ],
            "order_items": [
                {"order_item_id": "L0000000001", "order_id": "O000000001",
                 "product_id": "P0043", "quantity": "4", "unit_price": "27.73"},
            ],
            # The missing Saturday rate is published late: the sample's orders of that
            # day are revalued.
            "exchange_rates": [
                {"currency": "EUR", "rate_date": "2023-06-17", "rate_to_reporting": "1.2"},
            ],
        },
    ),
]

# Lands with the third batch but carries a modification time older than the second
# batch's files: the lookback window must still pick it up.
LATE_FILE = (timedelta(days=9), "refunds", [
    {"refund_id": "R900000003", "order_id": "O000000002",
     "refunded_at": "2026-01-04T12:00:00Z", "amount": "1.00"},
])


def land(raw: Path, table: str, name: str, rows: list[dict], landed: datetime) -> None:
    """Write one batch file of a table and give it its landing time."""
    path = raw / table / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = TABLE_COLUMNS[table]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})
    os.utime(path, (landed.timestamp(), landed.timestamp()))


def land_sample(raw: Path) -> None:
    for path in SAMPLE.glob("*.csv"):
        target = raw / path.stem / "000-sample.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        os.utime(target, (FIRST_LANDING.timestamp(), FIRST_LANDING.timestamp()))


BUILD = ["build", "--exclude-resource-type", "unit_test"]
# Keeping CLV parameters between refits is what a full refresh cannot reproduce by design
# (tests_py/test_clv.py tests the cadence): here the CLV fit reruns every run.
REFIT_EVERY_RUN = {"clv_refit_after_days": 0}


def sample_with_two_warehouses(tmp_path: Path) -> tuple[Path, Path, Path, dict[str, str]]:
    """The sample landed in a raw folder, and the database files of an incrementally
    built warehouse and of a fully refreshed one: (raw, incremental, full, vars)."""
    raw = tmp_path / "raw"
    land_sample(raw)
    return (raw, tmp_path / "incremental" / "warehouse.duckdb",
            tmp_path / "full" / "warehouse.duckdb", {"raw_data_path": str(raw), **REFIT_EVERY_RUN})


def test_incremental_runs_equal_full_refresh_after_every_batch(tmp_path: Path):
    raw, incremental, full, variables = sample_with_two_warehouses(tmp_path)
    assert_built(run_dbt(BUILD, incremental, variables))
    assert_built(run_dbt(BUILD, full, variables))

    for number, (landed_after, tables) in enumerate(BATCHES, start=1):
        for table, rows in tables.items():
            land(raw, table, f"{number:03d}-batch", rows, FIRST_LANDING + landed_after)
        if number == len(BATCHES):
            landed_after, table, rows = LATE_FILE
            land(raw, table, f"{number:03d}-late", rows, FIRST_LANDING + landed_after)
        assert_built(run_dbt(BUILD, incremental, variables))
        assert_built(run_dbt([*BUILD, "--full-refresh"], full, variables))
        found = differences(incremental, full)
        assert not found, f"after batch {number}:\n" + "\n".join(found)

    # The batches did reach the marts: the late order under its new customer, the
    # cancelled order's refund quarantined, the re-ingested line's new quantity.
    with_changes = DbtRun(True, "", incremental)
    assert with_changes.query(
        "select customer_id from marts.fct_orders where order_id = 'O900000002'"
    ) == [("C0000003",)]
    assert with_changes.query(
        "select rejection_reason from staging.base_shop__refunds_checked "
        "where refund_id = 'R000000001'"
    ) == [("refund_for_uncompleted_order",)]
    assert with_changes.query(
        "select quantity from staging.stg_shop__order_items where order_item_id = 'L0000000001'"
    ) == [(4,)]
    # The last run rewrote only what changed: not the sample's 20,000 orders and 50,000
    # lines, which landed before the lookback window.
    for relation, at_most in (("staging.base_shop__orders_checked", 20),
                              ("staging.base_shop__order_items_checked", 10),
                              ("marts.fct_orders", 20)):
        assert with_changes.query(
            f"select count(*) from {relation} "
            f"where refreshed_at = (select max(refreshed_at) from {relation})"
        )[0][0] <= at_most, relation


def test_daily_parquet_increment_equals_full_refresh(tmp_path: Path):
    """The benchmark's daily load (typed Parquet: new and late orders, re-ingested
    versions, lines, refunds of old orders) read incrementally gives what a full refresh
    gives, and the run reads only the new files."""
    from customer_segments.dev.generate_sample import SampleSpec, write_typed_parquet
    from customer_segments.dev.increment import append_increment

    raw = tmp_path / "raw"
    write_typed_parquet(SampleSpec(orders=3000), raw, chunk_orders=1000, log=lambda _: None)
    for path in raw.rglob("*.parquet"):
        os.utime(path, (FIRST_LANDING.timestamp(), FIRST_LANDING.timestamp()))
    incremental = tmp_path / "incremental" / "warehouse.duckdb"
    full = tmp_path / "full" / "warehouse.duckdb"
    variables = {"raw_data_path": str(raw), "incremental_lookback_days": 0, **REFIT_EVERY_RUN}
    assert_built(run_dbt(BUILD, incremental, variables))
    assert_built(run_dbt(BUILD, full, variables))

    appended = append_increment(raw, fraction=0.02)
    assert appended["orders"] > 0 and appended["order_items"] > 0 and appended["refunds"] > 0
    assert_built(run_dbt(BUILD, incremental, variables))
    assert_built(run_dbt([*BUILD, "--full-refresh"], full, variables))
    found = differences(incremental, full)
    assert not found, "\n".join(found)

    rewritten = DbtRun(True, "", incremental).query(
        "select count(*) from staging.base_shop__orders_checked "
        "where refreshed_at = (select max(refreshed_at) from staging.base_shop__orders_checked)"
    )[0][0]
    assert rewritten < 3000 * 0.1


def test_compiling_a_built_database_changes_nothing(tmp_path: Path):
    """`dbt compile` and `dbt docs generate` against a built database, with new raw files
    waiting (so every incremental model compiles its key-by-key SQL), leave the file byte
    for byte as it was; an incremental build leaves no key tables behind."""
    import hashlib

    raw = tmp_path / "raw"
    land_sample(raw)
    database = tmp_path / "warehouse" / "warehouse.duckdb"
    variables = {"raw_data_path": str(raw)}
    assert_built(run_dbt(BUILD, database, variables))
    for table, rows in BATCHES[0][1].items():
        land(raw, table, "001-batch", rows, FIRST_LANDING + timedelta(days=5))

    def digest() -> str:
        return hashlib.sha256(database.read_bytes()).hexdigest()

    built = digest()
    for command in (["compile"], ["docs", "generate"]):
        run = run_dbt(command, database, variables)
        assert run.success, run.messages
        assert digest() == built, f"dbt {' '.join(command)} changed the database"
    compiled = (database.parent / "target" / "compiled" / "customer_segments" / "models"
                / "intermediate" / "int_orders.sql").read_text()
    assert '"int_orders__changed_keys"' in compiled  # the incremental SQL was compiled

    assert_built(run_dbt(BUILD, database, variables))
    assert DbtRun(True, "", database).query(
        "select count(*) from duckdb_tables() where table_name like '%changed_keys%'"
    ) == [(0,)]
    assert DbtRun(True, "", database).query(
        "select count(*) from marts.fct_orders where order_id = 'O900000001'"
    ) == [(1,)]


def test_an_edited_raw_file_rebuilds_what_read_it(tmp_path: Path):
    """A batch file is overwritten without two of its orders, a late one and a re-ingested
    version of an old one: the late order leaves every model and the old order's earlier
    version is back, exactly as a full refresh has it, though no key-by-key update could
    know those rows were gone."""
    raw, incremental, full, variables = sample_with_two_warehouses(tmp_path)
    landed, tables = BATCHES[0]
    for table, rows in tables.items():
        land(raw, table, "001-batch", rows, FIRST_LANDING + landed)
    for database in (incremental, full):
        assert_built(run_dbt(BUILD, database, variables))

    removed = {"O900000002", "O000000032"}
    kept = [row for row in tables["orders"] if row["order_id"] not in removed]
    land(raw, "orders", "001-batch", kept, FIRST_LANDING + landed + timedelta(days=1))
    assert_built(run_dbt(BUILD, incremental, variables))
    assert_built(run_dbt([*BUILD, "--full-refresh"], full, variables))
    found = differences(incremental, full)
    assert not found, "\n".join(found)
    log = (incremental.parent / "target" / "logs" / "dbt.log").read_text()
    assert "base_shop__orders_checked rebuilds from scratch: raw files of orders" in log
    assert "base_shop__order_ids rebuilds from scratch" in log
    edited = DbtRun(True, "", incremental)
    assert edited.query(
        "select count(*) from marts.fct_orders where order_id = 'O900000002'") == [(0,)]
    assert edited.query(
        "select order_currency_amount from marts.fct_orders where order_id = 'O000000032'"
    ) != [(77.51,)]
