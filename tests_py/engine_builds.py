"""Building the project on one engine and reading every published table back, as plain
Python values that compare across engines.

`EngineBuild` runs the steps a user runs on that engine: DuckDB reads the raw folder
itself; PostgreSQL and Spark get it from `customer-segments load-raw`, then
`customer-segments build` (dbt, the CLV fit, dbt). The engine's environment (DBT_TARGET,
PGPORT, ...) is set only while a step runs, since dbt runs in this process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from customer_segments.ops.build import build
from customer_segments.ops.dbt_invoke import DATABASE_ENV, release_duckdb_file
from customer_segments.ops.load_raw import load_raw
from customer_segments.ops.warehouse import connected

# Columns that record when or how a row was written, not what it says.
RUN_COLUMNS = {"refreshed_at", "dbt_scd_id", "dbt_updated_at", "_loaded_at"}
# The public tables every engine must agree on: the quarantine, the marts, the history.
PUBLIC_FOLDERS = ("marts",)
PUBLIC_MODELS = {"stg_shop__rejected_rows", "stg_shop__data_quality_warnings"}


@contextlib.contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class EngineBuild:
    engine: str
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.engine == "duckdb":
            self.env = {"DBT_TARGET": "dev",
                        DATABASE_ENV: str(self.workdir / "warehouse.duckdb"), **self.env}

    @property
    def target_path(self) -> Path:
        return self.workdir / "target"

    def build(self, raw_folder: Path, dbt_args: list[str] | None = None,
              expect_failure: bool = False, **variables: Any) -> str:
        """Load (where the engine needs it) and build; raises with dbt's messages unless
        `expect_failure` (then returns them)."""
        with environment(self.env):
            if self.engine != "duckdb":
                load_raw(raw_folder, target=None)
            variables = {"raw_data_path": str(raw_folder), **variables}
            result = build(None, ["--vars", json.dumps(variables), *(dbt_args or [])],
                           self.target_path)
            release_duckdb_file()
        if expect_failure:
            assert not result.success, f"{self.engine} build passed, a failure was expected"
        else:
            assert result.success, f"{self.engine} build failed:\n{result.messages}"
        return result.messages

    def stop(self) -> None:
        """Spark: the session lives in this process (dbt-spark's session method); stop it
        before its cluster goes."""
        if self.engine == "spark":
            from pyspark import SparkContext

            context = SparkContext._active_spark_context
            if context is not None:
                context.stop()

    def public_relations(self) -> list[tuple[str, str]]:
        """(schema, table) of every published table, from the last build's manifest."""
        with open(self.target_path / "manifest.json") as handle:
            nodes = json.load(handle)["nodes"].values()
        return sorted(
            (node["schema"], node["alias"]) for node in nodes
            if (node["resource_type"] == "snapshot"
                or (node["resource_type"] == "model"
                    and (node["fqn"][1] in PUBLIC_FOLDERS or node["name"] in PUBLIC_MODELS))))

    def tables_in(self, schema: str) -> set[str]:
        with environment(self.env), connected() as warehouse:
            return warehouse.tables_in(schema)

    def read_public_tables(self, only: list[str] | None = None
                           ) -> dict[str, list[dict[str, Any]]]:
        """Every public table's rows (or the `schema.table`s of `only`)."""
        tables = {}
        with environment(self.env), connected() as warehouse:
            for schema, table in self.public_relations():
                if only is not None and f"{schema}.{table}" not in only:
                    continue
                names, rows = warehouse.rows(f"select * from {warehouse.quote(schema)}."
                                             f"{warehouse.quote(table)}")
                tables[f"{schema}.{table}"] = [
                    {name.lower(): plain(value) for name, value in zip(names, row, strict=True)
                     if name.lower() not in RUN_COLUMNS}
                    for row in rows]
        return tables


def plain(value: Any) -> Any:
    """One value as Python's own type: dates, datetimes without time zone, Decimal, float."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        value = value.item()
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _sort_key(row: dict[str, Any]) -> tuple:
    # Floats differ in their last bits between engines: rows are ordered by everything else.
    return tuple((value is not None, str(value)) for value in row.values()
                 if not isinstance(value, float))


def _same(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is right
    if isinstance(left, bool) or isinstance(right, bool):
        return bool(left == right) and type(left) is type(right)
    if isinstance(left, float) or isinstance(right, float):
        return math.isclose(float(left), float(right), rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        # Money and rates: exact, whatever scale each engine prints.
        return Decimal(str(left)) == Decimal(str(right))
    if isinstance(left, dt.datetime) != isinstance(right, dt.datetime):
        return False
    return bool(left == right)


def differences(expected: dict[str, list[dict[str, Any]]],
                actual: dict[str, list[dict[str, Any]]], limit: int = 5) -> list[str]:
    """What differs between two engines' public tables, in words (empty when identical)."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual or table not in expected:
            problems.append(f"{table}: only on {'one engine' }")
            continue
        left, right = sorted(expected[table], key=_sort_key), sorted(actual[table], key=_sort_key)
        if len(left) != len(right):
            problems.append(f"{table}: {len(left)} rows vs {len(right)}")
            continue
        if left and set(left[0]) != set(right[0]):
            problems.append(f"{table}: columns {sorted(left[0])} vs {sorted(right[0])}")
            continue
        shown = 0
        for expected_row, actual_row in zip(left, right, strict=True):
            changed = {name: (expected_row[name], actual_row[name]) for name in expected_row
                       if not _same(expected_row[name], actual_row[name])}
            if changed and shown < limit:
                problems.append(f"{table}: {changed} in row {expected_row}")
                shown += 1
    return problems
