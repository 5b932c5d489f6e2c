"""Fit the CLV models outside dbt, on engines whose dbt adapter runs no Python models
(PostgreSQL; Spark outside Databricks), and land the fit where dbt's SQL models read it.

    customer-segments fit-clv [--target postgres] [--manifest target/manifest.json]

Reads the calibration summary (`int_customers_clv_summary`) through the dbt profile's
connection, runs the same code as DuckDB's Python models (customer_segments.clv.tables),
and replaces the three tables of the `clv_fit` source: fits, predictions and the summary
they were fitted on. Relations and the clv_* settings come from the manifest of the dbt
run that built the summary, so they are the ones that run used (its --vars included).
`customer-segments build` runs it between its two dbt selections.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from customer_segments.clv.tables import ClvFitError, ClvSettings, fit_table, prediction_table
from customer_segments.ops.warehouse import Warehouse, connected

PROJECT = "customer_segments"
SUMMARY_COLUMNS = ["fit_purpose", "calibration_end_date", "customer_id", "repeat_transactions",
                   "time_to_last_purchase", "observation_time", "mean_repeat_value",
                   "holdout_transactions"]
KINDS = {
    "fit_purpose": "text", "calibration_end_date": "date", "customer_id": "text",
    "time_unit": "text", "clv_status": "text", "fit_status": "text",
    "fit_status_reason": "text", "bgnbd_converged": "boolean",
    "gamma_gamma_converged": "boolean", "customers": "bigint", "repeat_customers": "bigint",
    "gamma_gamma_customers": "bigint", "fitted_on_customers": "bigint",
    "repeat_transactions": "bigint", "holdout_transactions": "double",
    "parameters_calibration_end_date": "date", "parameters_customers": "bigint",
    "fit_decision": "text", "fit_decision_reason": "text",
}


class ManifestError(RuntimeError):
    """The manifest lacks what the fit needs; the message says what to run."""


def _column_types(columns: list[str], warehouse: Warehouse,
                  overrides: dict[str, str] | None = None) -> dict[str, str]:
    kinds = {**KINDS, **(overrides or {})}
    return {name: warehouse.sql_type(kinds.get(name, "double")) for name in columns}


def read_manifest(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ManifestError(f"{path} not found: run dbt (customer-segments build) first.")
    with open(path) as handle:
        manifest: dict[str, Any] = json.load(handle)
    return manifest


def fit_inputs(manifest: dict[str, Any]) -> tuple[str, dict[str, dict[str, Any]], ClvSettings]:
    """(summary relation, {landing table: relation}, settings) from the manifest."""
    nodes = manifest["nodes"]
    summary = nodes.get(f"model.{PROJECT}.int_customers_clv_summary")
    fits = nodes.get(f"model.{PROJECT}.int_clv_fits")
    if summary is None or fits is None:
        raise ManifestError("the manifest has no int_customers_clv_summary / int_clv_fits")
    if fits["original_file_path"].endswith(".py"):
        raise ManifestError("this target fits CLV inside dbt (Python models): nothing to do")
    landing = {name: manifest["sources"][f"source.{PROJECT}.clv_fit.{name}"]
               for name in ("fits", "predictions", "fitted_summary")}
    settings = ClvSettings.from_vars(fits["config"].get)
    return summary["relation_name"], landing, settings


def _landing_parts(source: dict[str, Any]) -> tuple[str, str]:
    return source["schema"], source["identifier"] or source["name"]


def previous_fits(warehouse: Warehouse, source: dict[str, Any]) -> pd.DataFrame | None:
    """The fits landed by the last run, whose parameters the refit cadence may keep."""
    schema, identifier = _landing_parts(source)
    if identifier not in warehouse.tables_in(schema):
        return None
    return warehouse.query(
        f"select * from {warehouse.quote(schema)}.{warehouse.quote(identifier)}")


def fit_clv(warehouse: Warehouse, manifest: dict[str, Any]) -> dict[str, int]:
    """Fit, predict and land; returns rows landed per table."""
    summary_relation, landing, settings = fit_inputs(manifest)
    summary = warehouse.query(
        f"select {', '.join(SUMMARY_COLUMNS)} from {summary_relation}"
        " order by fit_purpose, customer_id")
    # Engines return dates, decimals and integers as Python objects: type them as DuckDB's
    # Python model sees them.
    for column in ("repeat_transactions", "holdout_transactions"):
        summary[column] = pd.to_numeric(summary[column]).astype("int64")
    for column in ("time_to_last_purchase", "observation_time", "mean_repeat_value"):
        summary[column] = pd.to_numeric(summary[column]).astype("float64")
    summary["calibration_end_date"] = pd.to_datetime(summary["calibration_end_date"])
    fits = fit_table(summary, settings, previous_fits(warehouse, landing["fits"]))
    predictions = prediction_table(summary, fits, settings)
    for column in ("calibration_end_date", "parameters_calibration_end_date"):
        fits[column] = fits[column].dt.date
    landed_summary = summary.assign(
        calibration_end_date=summary["calibration_end_date"].dt.date)
    tables = {"fits": fits, "predictions": predictions, "fitted_summary": landed_summary}
    counts: dict[str, int] = {}
    for name, frame in tables.items():
        schema, identifier = _landing_parts(landing[name])
        overrides = {"repeat_transactions": "bigint", "holdout_transactions": "bigint"} \
            if name == "fitted_summary" else None
        warehouse.replace_table(schema, identifier, frame,
                                _column_types(list(frame.columns), warehouse, overrides))
        counts[f"{schema}.{identifier}"] = len(frame)
    return counts


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", help="the profile target (default: DBT_TARGET, else dev)")
    parser.add_argument("--manifest", type=Path, default=Path("target/manifest.json"),
                        help="manifest.json of the dbt run that built the summary")
    args = parser.parse_args(argv)
    try:
        manifest = read_manifest(args.manifest)
        # A manifest without the CLV models fails here, before connecting to the warehouse.
        fit_inputs(manifest)
        with connected(args.target) as warehouse:
            counts = fit_clv(warehouse, manifest)
    except ManifestError as error:
        print(f"customer-segments fit-clv: {error}", file=sys.stderr)
        return 2
    except ClvFitError as error:
        print(f"customer-segments fit-clv: {error}", file=sys.stderr)
        return 1
    for relation, rows in counts.items():
        print(f"{relation}: {rows} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
