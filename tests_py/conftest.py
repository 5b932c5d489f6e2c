"""Shared helpers: write a hand-made raw folder, build the project on it into a database
file of the test's own, and read the results back through a read-only connection.

Every build goes through `customer_segments.ops.dbt_invoke` (serially, closing the database
file afterwards, so the test can open it).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from customer_segments.ops.dbt_invoke import invoke

# pytest-xdist's workers run under a `__main__` with neither __spec__ nor __file__;
# pyspark.sql.connect (which Great Expectations imports) then takes the process for a
# doctest run and calls sys.exit(0). Give the worker's __main__ a file name.
_main = sys.modules["__main__"]
if getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "<pytest-xdist worker>"

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
    "nps_responses": ["response_id", "customer_id", "responded_at", "score", "comment"],
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
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def run_dbt(args: list[str], database: Path, variables: dict[str, Any] | None = None) -> DbtRun:
    """Run one dbt command against `database`, with a target folder beside it."""
    result = invoke(args, variables, database=database, target_path=database.parent / "target")
    return DbtRun(success=result.success, messages=result.messages, database=database)


@pytest.fixture
def build(tmp_path: Path):
    """build(raw_folder, **vars) -> DbtRun of `dbt build` into a fresh database file."""

    def _build(raw_folder: Path, **variables: Any) -> DbtRun:
        # Unit tests do not depend on the raw data: `make dbt-test` runs them once.
        # Hand-written folders are too small for the CLV fit unless a test says otherwise.
        run = run_dbt(
            ["build", "--exclude-resource-type", "unit_test"],
            database=tmp_path / "warehouse.duckdb",
            variables={"raw_data_path": str(raw_folder), "clv_on_insufficient_data": "warn",
                       **variables},
        )
        return run

    return _build


@pytest.fixture
def run_dbt_in(tmp_path: Path):
    """run_dbt_in(args, vars) -> DbtRun of any dbt command on the test's database file."""

    def _run(args: list[str], variables: dict[str, Any] | None = None) -> DbtRun:
        return run_dbt(args, database=tmp_path / "warehouse.duckdb", variables=variables)

    return _run


def assert_built(run: DbtRun) -> None:
    assert run.success, f"dbt build failed:\n{run.messages}"


# Built with a full refresh, this mart keeps only the current as-of date's row: it is the
# one model whose full refresh is not meant to reproduce its incremental history.
NOT_COMPARED = {"fct_top_customer_threshold"}
# Columns that say when or why a run wrote a row: they differ between an incremental run
# and a rebuild by design (a rebuild has no earlier fit to refit from).
RUN_HISTORY_COLUMNS = {"refreshed_at", "fit_decision_reason"}


def built_relations(database: Path, not_compared: set[str]) -> dict[str, list[str]]:
    """{schema.name: compared column expressions} for every relation the project builds."""
    rows = DbtRun(True, "", database).query(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_schema in ('staging', 'intermediate', 'marts', 'history') "
        "order by table_schema, table_name, ordinal_position"
    )
    relations: dict[str, list[str]] = {}
    for schema, table, column, data_type in rows:
        if table in not_compared or column in RUN_HISTORY_COLUMNS:
            continue
        # Floating-point sums (the CLV models) may differ in the last bits with the
        # order rows are read in.
        expression = (f'round("{column}", 6)' if data_type in ("DOUBLE", "FLOAT")
                      else f'"{column}"')
        relations.setdefault(f"{schema}.{table}", []).append(expression)
    return relations


def differences(incremental: Path, full: Path,
                not_compared: set[str] = NOT_COMPARED) -> list[str]:
    """Relations whose rows differ between two built databases (an incrementally built
    one and a rebuilt one), with a few of the differing rows."""
    found = []
    relations = built_relations(full, not_compared)
    assert relations.keys() == built_relations(incremental, not_compared).keys()
    with duckdb.connect(":memory:") as connection:
        connection.execute(f"attach '{incremental}' as incremental (read_only)")
        connection.execute(f"attach '{full}' as full_refresh (read_only)")
        for relation, columns in relations.items():
            column_list = ", ".join(columns)
            only = {}
            for left, right in (("incremental", "full_refresh"), ("full_refresh", "incremental")):
                only[left] = connection.execute(
                    f"select {column_list} from {left}.{relation} except all "
                    f"select {column_list} from {right}.{relation} limit 3"
                ).fetchall()
            if only["incremental"] or only["full_refresh"]:
                found.append(f"{relation}: only incremental {only['incremental']}, "
                             f"only full refresh {only['full_refresh']}")
    return found
