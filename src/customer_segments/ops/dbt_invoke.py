"""Running dbt in-process (dbtRunner) against this project, one invocation at a time.

dbt's dbtRunner is not safe for parallel invocations in one process; callers run
serially. dbt-duckdb keeps its database open in-process after a run, so every invocation
here closes it afterwards: DuckDB allows one writer or many readers per file, not both.
"""

from __future__ import annotations

import gc
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[3]
DATABASE_ENV = "CUSTOMER_SEGMENTS_DUCKDB_PATH"


def default_target_path() -> Path:
    """Where dbt writes its artifacts when no --target-path is given (DBT_TARGET_PATH, else
    the project's target/)."""
    return Path(os.environ.get("DBT_TARGET_PATH") or PROJECT_DIR / "target")


@dataclass
class DbtResult:
    success: bool
    messages: str


def release_duckdb_file() -> None:
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
    gc.collect()


def invoke(args: list[str], variables: dict[str, Any] | None = None,
           database: Path | None = None, target_path: Path | None = None) -> DbtResult:
    """Run one dbt command on this project; never raises on a failed run."""
    from dbt.cli.main import dbtRunner

    # PySpark logs every failed query as a JSON stack trace, including the lookups dbt
    # expects to fail (unit tests probe for a relation first); dbt reports real errors.
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        logging.getLogger(name).disabled = True

    command = [*args, "--project-dir", str(PROJECT_DIR),
               "--profiles-dir", os.environ.get("DBT_PROFILES_DIR", str(PROJECT_DIR))]
    if target_path is not None:
        command += ["--target-path", str(target_path), "--log-path", str(target_path / "logs")]
    if variables:
        command += ["--vars", json.dumps(variables)]
    previous = os.environ.get(DATABASE_ENV)
    if database is not None:
        os.environ[DATABASE_ENV] = str(database)
    try:
        result = dbtRunner().invoke(command)
    finally:
        release_duckdb_file()
        if database is not None:
            if previous is None:
                os.environ.pop(DATABASE_ENV, None)
            else:
                os.environ[DATABASE_ENV] = previous
    messages = [str(result.exception)] if result.exception else []
    for node_result in getattr(result.result, "results", None) or []:
        if node_result.status not in ("success", "pass", "no-op"):
            messages.append(f"{node_result.node.unique_id}: {node_result.status}: "
                            f"{node_result.message}")
    return DbtResult(success=result.success, messages="\n".join(messages))
