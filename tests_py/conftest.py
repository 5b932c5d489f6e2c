"""Shared helpers: write a hand-made raw folder, build the project on it into a database
file of the test's own, and read the results back through a read-only connection.

dbt's dbtRunner is not safe for parallel invocations in one process, so every build runs
through `run_dbt`, serially, and closes before the test opens the database file.
"""

from __future__ import annotations

import csv
import gc
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import duckdb
import pytest
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

PROJECT_DIR = Path(__file__).resolve().parent.parent

ORDER_COLUMNS = [
    "order_id", "customer_id", "ordered_at", "status", "currency", "amount", "tax",
    "shipping", "updated_at",
]
TABLE_COLUMNS = {
    "orders": ORDER_COLUMNS,
    "order_items": ["order_item_id", "order_id", "product_id", "quantity", "unit_price"],
    "products": ["product_id", "product_name", "category"],
    "customers": ["customer_id", "email", "created_at", "country", "is_loyalty_member"],
    "refunds": ["refund_id", "order_id", "refunded_at", "amount"],
    "exchange_rates": ["currency", "rate_date", "rate_to_reporting"],
}


def order(order_id: str, customer_id: str | None, ordered_at: str, amount: str,
          status: str = "completed", currency: str = "USD", **extra: str) -> dict[str, Any]:
    """One raw order row; unspecified optional columns are empty."""
    row = {"order_id": order_id, "customer_id": customer_id or "", "ordered_at": ordered_at,
           "status": status, "currency": currency, "amount": amount}
    row.update(extra)
    return row


def write_raw(folder: Path, **tables: Iterable[dict[str, Any]]) -> Path:
    """Write each table as `<name>.csv` with the contract's columns (missing values empty)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        rows = list(rows)
        columns = TABLE_COLUMNS.get(name) or list(rows[0])
        with open(folder / f"{name}.csv", "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="raise")
            writer.writeheader()
            for row in rows:
                writer.writerow({column: row.get(column, "") for column in columns})
    return folder


@dataclass
class DbtRun:
    success: bool
    messages: str
    database: Path

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            return connection.execute(sql).fetchall()

    def query_dicts(self, sql: str) -> list[dict[str, Any]]:
        with duckdb.connect(str(self.database), read_only=True) as connection:
            cursor = connection.execute(sql)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]


def run_dbt(args: list[str], database: Path, variables: dict[str, Any] | None = None,
            target_path: Path | None = None) -> DbtRun:
    """Run one dbt command against `database`; never raises on a failed build."""
    target_path = target_path or database.parent / "target"
    command = [
        *args,
        "--project-dir", str(PROJECT_DIR),
        "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(target_path),
        "--log-path", str(target_path / "logs"),
    ]
    if variables:
        command += ["--vars", json.dumps(variables)]
    previous = os.environ.get("CUSTOMER_SEGMENTS_DUCKDB_PATH")
    os.environ["CUSTOMER_SEGMENTS_DUCKDB_PATH"] = str(database)
    try:
        result = dbtRunner().invoke(command)
    finally:
        release_duckdb_file()
        if previous is None:
            os.environ.pop("CUSTOMER_SEGMENTS_DUCKDB_PATH", None)
        else:
            os.environ["CUSTOMER_SEGMENTS_DUCKDB_PATH"] = previous
    messages = [str(result.exception)] if result.exception else []
    for node_result in getattr(result.result, "results", None) or []:
        if node_result.status not in ("success", "pass"):
            messages.append(f"{node_result.node.unique_id}: {node_result.status}: {node_result.message}")
    return DbtRun(success=result.success, messages="\n".join(messages), database=database)


def release_duckdb_file() -> None:
    """dbt-duckdb keeps its database open in-process after a run; close it so the test (or
    the next run) can open the file. DuckDB allows one writer or many readers, not both."""
    manager = DuckDBConnectionManager
    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
            manager._ENV = None
    gc.collect()


@pytest.fixture
def build(tmp_path: Path):
    """build(raw_folder, **vars) -> DbtRun of `dbt build` into a fresh database file."""

    def _build(raw_folder: Path, **variables: Any) -> DbtRun:
        # Unit tests do not depend on the raw data: `make dbt-test` runs them once.
        run = run_dbt(
            ["build", "--exclude-resource-type", "unit_test"],
            database=tmp_path / "warehouse.duckdb",
            variables={"raw_data_path": str(raw_folder), **variables},
        )
        return run

    return _build


def assert_built(run: DbtRun) -> None:
    assert run.success, f"dbt build failed:\n{run.messages}"
