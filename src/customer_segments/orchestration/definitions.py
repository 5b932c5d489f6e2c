"""Dagster definitions: `dagster dev -m customer_segments.orchestration.definitions`.

Job `daily` (schedule `daily_build_and_publish`, 06:00 UTC, off until turned on):
  1. `dbt build --selector daily`: every model, seed and snapshot is an asset, every dbt
     test attached to one of them an asset check;
  2. `publication`: `customer-segments publish` of that build into the file readers open;
  3. `reader_refresh`: opens the publication read-only, as a reader does, checks that every
     public model is there and reports each table's rows (BI cache refreshes belong here).
Job `history_backfill`: asset `segment_history_month_end`, one partition per month. A
  partition records the segment history as of its month end (`dbt build --selector
  backfill`, as `customer-segments backfill` does), each after the previous month.

Environment: DBT_TARGET (profile target, default dev); DBT_TARGET_PATH (the dbt target
folder: the manifest is read from it, each run writes its artifacts under its `dagster/`,
default target); CUSTOMER_SEGMENTS_DUCKDB_PATH and CUSTOMER_SEGMENTS_PUBLICATION_PATH (the
work file and the publication); CUSTOMER_SEGMENTS_HISTORY_START (first month of history
partitions, YYYY-MM, default 2023-01: the bundled sample's first orders).

Every step that writes the work file is in the pool `customer_segments_work_database`; the
instance settings in `dagster.yaml` beside this file let one such run in at a time.
"""

# No `from __future__ import annotations`: Dagster checks the type of `context` at
# definition time, and a string annotation fails that check.
import datetime as dt
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
    get_asset_key_for_model,
)

from customer_segments.ops.backfill import newest_recorded_as_of
from customer_segments.ops.database_files import publication_path, read_only, work_database
from customer_segments.ops.dbt_invoke import PROJECT_DIR
from customer_segments.ops.publish import publish

WORK_DATABASE_POOL = "customer_segments_work_database"
HISTORY_START_ENV = "CUSTOMER_SEGMENTS_HISTORY_START"

# dagster-dbt runs `dbt` from PATH, preparing the project too: without it (the venv's
# `dagster dev` run without activating the venv) use the dbt installed beside this Python.
if shutil.which("dbt") is None:
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent),
                                          os.environ.get("PATH", "")])

PROJECT = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    target=os.environ.get("DBT_TARGET", "dev"),
    target_path=os.environ.get("DBT_TARGET_PATH", "target"),
)
# `dagster dev` parses the project on start; elsewhere the manifest must already exist
# (`dbt parse`, or `dagster-dbt project prepare-and-package` when deploying).
PROJECT.prepare_if_dev()

TRANSLATOR = DagsterDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
)


def run_target_path(run: dg.DagsterRun) -> Path:
    """The dbt target folder of a run, shared by its re-executions.

    The publication step reads the run_results.json of the build step of the same run;
    re-executing a failed step from the UI keeps the root run's folder.
    """
    lineage = run.root_run_id or run.run_id
    return PROJECT.project_dir.joinpath(PROJECT.target_path, "dagster", lineage)


# --- the daily build --------------------------------------------------------------------

@dbt_assets(
    manifest=PROJECT.manifest_path,
    project=PROJECT,
    selector="daily",
    dagster_dbt_translator=TRANSLATOR,
    pool=WORK_DATABASE_POOL,
)
def daily_dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """`dbt build` of the daily selection; a failing test fails the step (and skips publishing)."""
    yield from dbt.cli(["build"], context=context,
                       target_path=run_target_path(context.run)).stream()


def _public_models() -> list[dict[str, Any]]:
    """The models of the `publish` selector (selectors.yml), from the manifest.

    dagster-dbt cannot evaluate dbt's `access:` method (it matches nothing), so the
    selector is read here; any other definition of it stops the definitions from loading.
    """
    manifest = json.loads(PROJECT.manifest_path.read_text())
    definition = manifest["selectors"]["publish"]["definition"]
    if definition.get("method") != "access" or set(definition) - {"method", "value"}:
        raise ValueError(f"selector `publish` is no longer `access: <level>` ({definition}): "
                         "teach customer_segments.orchestration.definitions to read it")
    return sorted((node for node in manifest["nodes"].values()
                   if node["resource_type"] == "model"
                   and node.get("access") == definition["value"]),
                  key=lambda node: node["unique_id"])


PUBLIC_MODELS = _public_models()
PUBLIC_MODEL_KEYS = [get_asset_key_for_model([daily_dbt_build], node["name"])
                     for node in PUBLIC_MODELS]


@dg.asset(
    deps=PUBLIC_MODEL_KEYS,
    group_name="publication",
    kinds={"duckdb"},
    pool=WORK_DATABASE_POOL,
)
def publication(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """The publication readers open: `customer-segments publish` of this run's dbt build."""
    target_path = run_target_path(context.run)
    if not target_path.joinpath("run_results.json").exists():
        raise dg.Failure(
            f"No dbt build in this run ({target_path} has no run_results.json): publish only "
            "after a build, by materializing the `daily` job."
        )
    database, published = work_database(), publication_path()
    result = publish(database=database, publication=published, target_path=target_path)
    return dg.MaterializeResult(metadata={
        "publication": dg.MetadataValue.path(str(result.path)),
        "tables": len(result.row_counts),
        "rows": sum(result.row_counts.values()),
        "work_database": dg.MetadataValue.path(str(database)),
        "dbt_target_path": dg.MetadataValue.path(str(target_path)),
    })


@dg.asset(deps=[publication], group_name="publication", kinds={"duckdb"})
def reader_refresh(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """What readers see: the publication opened read-only, with each table's rows.

    Fails when a public model is missing. A BI tool's cache refresh would be called here.
    """
    published = publication_path()
    with read_only(published) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() order by 1, 2"
        ).fetchall()
        rows = {
            f"{schema}.{table}": connection.execute(
                f'select count(*) from "{schema}"."{table}"'
            ).fetchall()[0][0]
            for schema, table in tables
        }
    expected = [f"{node['schema']}.{node['alias']}" for node in PUBLIC_MODELS]
    missing = [relation for relation in expected if relation not in rows]
    if missing:
        raise dg.Failure(f"{published} lacks public models: {', '.join(missing)}")
    return dg.MaterializeResult(metadata={
        "publication": dg.MetadataValue.path(str(published)),
        "tables": len(rows),
        "rows": dg.MetadataValue.table(
            records=[dg.TableRecord({"table": name, "rows": count})
                     for name, count in rows.items()],
            schema=dg.TableSchema(columns=[dg.TableColumn("table", "string"),
                                           dg.TableColumn("rows", "int")]),
        ),
        **{f"rows/{name}": count for name, count in rows.items()},
    })


daily_job = dg.define_asset_job(
    "daily",
    selection=dg.AssetSelection.assets(daily_dbt_build, publication, reader_refresh),
    description="Build everything with every test, publish the build, check what readers see.",
)

daily_schedule = dg.ScheduleDefinition(
    name="daily_build_and_publish",
    job=daily_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    # Off until turned on: backfill history first. A daily run records history as of the
    # newest order, and history is written forward only.
    default_status=dg.DefaultScheduleStatus.STOPPED,
)


# --- the history backfill ---------------------------------------------------------------

MONTH_ENDS = dg.MonthlyPartitionsDefinition(
    start_date=os.environ.get(HISTORY_START_ENV, "2023-01"), fmt="%Y-%m", timezone="UTC"
)


def month_end(partition_key: str) -> dt.date:
    """The as-of date a monthly partition records: the last day of its month."""
    window = MONTH_ENDS.time_window_for_partition_key(partition_key)
    return window.end.date() - dt.timedelta(days=1)


def out_of_order_reason(as_of: dt.date, previous_as_of: dt.date | None,
                        newest_recorded: dt.date | None) -> str | None:
    """Why recording `as_of` now would break history's order, or None when it may run.

    History is written forward only, so a month end earlier than the newest recorded one
    can no longer be recorded; and recording it before the previous month end would leave
    that month out for good. The same month end again records nothing new.
    """
    if newest_recorded is not None and as_of < newest_recorded:
        return (f"segment history already holds {newest_recorded}, later than {as_of}, and "
                "is written forward only: backfill from that month on, or rebuild history "
                "from scratch (README, 'Rebuilding history from scratch')")
    if previous_as_of is not None and (newest_recorded is None
                                       or newest_recorded < previous_as_of):
        return (f"the previous month end {previous_as_of} is not recorded yet (history "
                f"holds {newest_recorded or 'nothing'}): month ends are recorded in order")
    return None


@dg.asset(
    partitions_def=MONTH_ENDS,
    # Each month waits for the one before. Without a backfill policy every partition is a
    # run of its own, so a backfill launches the months one run at a time, in order.
    deps=[dg.AssetDep("segment_history_month_end",
                      partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1,
                                                                      end_offset=-1))],
    group_name="history",
    kinds={"dbt", "duckdb"},
    pool=WORK_DATABASE_POOL,
)
def segment_history_month_end(context: dg.AssetExecutionContext,
                              dbt: DbtCliResource) -> dg.MaterializeResult:
    """The segment history (history.customer_segment_snapshot) as of the partition's month end.

    Builds the backfill selection (the snapshot and its parents, and the date's row of
    fct_top_customer_threshold; no tests) as of that date, as `customer-segments backfill`
    does per period end. The other marts are left as they were: the next daily run
    rebuilds them as of the newest order.
    """
    as_of = month_end(context.partition_key)
    first = context.partition_key == MONTH_ENDS.get_first_partition_key()
    # The previous month ends the day before this month starts.
    previous_as_of = (None if first
                      else context.partition_time_window.start.date() - dt.timedelta(days=1))
    newest = newest_recorded_as_of(work_database())
    reason = out_of_order_reason(as_of, previous_as_of, newest)
    if reason is not None:
        raise dg.Failure(f"Not recording history as of {as_of}: {reason}.")
    variables = {"as_of_date": as_of.isoformat(), "clv_holdout_days": 0,
                 "clv_on_insufficient_data": "warn"}
    # Its log goes to the step's stdout; a failure raises with dbt's error messages.
    invocation = dbt.cli(["build", "--selector", "backfill", "--vars", json.dumps(variables)],
                         target_path=run_target_path(context.run)).wait()
    results = invocation.get_artifact("run_results.json")["results"]
    return dg.MaterializeResult(metadata={
        "as_of_date": as_of.isoformat(),
        "previously_recorded_up_to": str(newest or "nothing"),
        "dbt_nodes_built": len(results),
        "dbt_target_path": dg.MetadataValue.path(str(invocation.target_path)),
    })


history_backfill_job = dg.define_asset_job(
    "history_backfill",
    selection=[segment_history_month_end],
    description="Record segment history as of one month end; backfill a range of months in order.",
)


defs = dg.Definitions(
    assets=[daily_dbt_build, publication, reader_refresh, segment_history_month_end],
    jobs=[daily_job, history_backfill_job],
    schedules=[daily_schedule],
    resources={"dbt": DbtCliResource(project_dir=PROJECT)},
)
