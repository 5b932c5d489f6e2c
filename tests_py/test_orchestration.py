"""The Dagster orchestration (customer_segments.orchestration.definitions).

The definitions hold what dbt's own selectors select; the daily job builds the bundled
sample with every test as an asset check, publishes it and reads it back as a reader does;
history months are recorded in order, never before history already recorded.

The module fixture parses the project into a target folder of its own and points the work
file, the publication and the dbt target folder at a temporary folder before importing
the definitions (they read the manifest when imported). Jobs run in this process on an
ephemeral Dagster instance; dagster-dbt runs dbt in a subprocess.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import dagster as dg
import duckdb
import pytest

from customer_segments.ops.backfill import newest_recorded_as_of
from customer_segments.ops.database_files import PUBLICATION_ENV
from customer_segments.ops.dbt_invoke import DATABASE_ENV, PROJECT_DIR, invoke

DEFINITIONS = "customer_segments.orchestration.definitions"


@dataclass
class Orchestration:
    module: ModuleType
    manifest: dict[str, Any]
    folder: Path
    instance: dg.DagsterInstance

    @property
    def defs(self) -> dg.Definitions:
        return self.module.defs

    @property
    def work_file(self) -> Path:
        return Path(os.environ[DATABASE_ENV])

    @property
    def publication(self) -> Path:
        return Path(os.environ[PUBLICATION_ENV])


@pytest.fixture(scope="module")
def orchestration(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Orchestration]:
    folder = tmp_path_factory.mktemp("orchestration")
    (folder / "work").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET", "dev")
        patch.setenv("DBT_TARGET_PATH", str(folder / "target"))
        # Same file names as the project's: the catalog name is the file name.
        patch.setenv(DATABASE_ENV, str(folder / "work" / "customer_segments.duckdb"))
        patch.setenv(PUBLICATION_ENV, str(folder / "publication" / "customer_segments.duckdb"))
        patch.delenv("CUSTOMER_SEGMENTS_HISTORY_START", raising=False)
        parsed = invoke(["parse"], target_path=folder / "target")
        assert parsed.success, parsed.messages
        sys.modules.pop(DEFINITIONS, None)
        module = importlib.import_module(DEFINITIONS)
        manifest = json.loads((folder / "target" / "manifest.json").read_text())
        try:
            yield Orchestration(module, manifest, folder, dg.DagsterInstance.ephemeral())
        finally:
            # Later imports must not see definitions bound to this test's folders.
            sys.modules.pop(DEFINITIONS, None)


def dbt_selected_names(selector: str, *resource_types: str) -> list[str]:
    """What dbt itself selects with a selector of selectors.yml."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke([
        "ls", "--quiet", "--selector", selector, "--resource-type", *resource_types,
        "--output", "name", "--project-dir", str(PROJECT_DIR), "--profiles-dir",
        str(PROJECT_DIR), "--target-path", os.environ["DBT_TARGET_PATH"],
    ])
    assert result.success, result.exception
    return sorted(result.result)


def step_failures(result: dg.ExecuteInProcessResult) -> str:
    return "\n".join(event.step_failure_data.error.message
                     for event in result.get_step_failure_events()
                     if event.step_failure_data.error is not None)


def materialization_metadata(result: dg.ExecuteInProcessResult, key: str) -> dict[str, Any]:
    [materialization] = [event.materialization
                         for event in result.get_asset_materialization_events()
                         if event.asset_key == dg.AssetKey.from_user_string(key)]
    return {name: value.value for name, value in materialization.metadata.items()}


def row_counts(database: Path, relations: list[str]) -> dict[str, int]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return {relation: connection.execute(f"select count(*) from {relation}").fetchall()[0][0]
                for relation in relations}


# --- the definitions ---------------------------------------------------------------------

def test_dbt_assets_are_what_the_daily_selector_builds(orchestration):
    dbt_build = orchestration.module.daily_dbt_build
    assert sorted(key.path[-1] for key in dbt_build.keys) == dbt_selected_names(
        "daily", "model", "seed", "snapshot")


def test_every_dbt_test_on_one_asset_is_an_asset_check(orchestration):
    dbt_build = orchestration.module.daily_dbt_build
    nodes = {unique_id for unique_id, node in orchestration.manifest["nodes"].items()
             if node["resource_type"] in ("model", "seed", "snapshot")}

    def attached(test: dict[str, Any]) -> str | None:
        upstream = test["depends_on"]["nodes"]
        return upstream[0] if len(upstream) == 1 else test.get("attached_node")

    tests = [node for node in orchestration.manifest["nodes"].values()
             if node["resource_type"] == "test"]
    expected = sorted(test["name"] for test in tests if attached(test) in nodes)
    assert len(expected) > 100
    assert sorted(key.name for key in dbt_build.check_keys) == expected
    assert set(orchestration.defs.resolve_asset_graph().asset_check_keys) == set(
        dbt_build.check_keys)


def test_the_publication_waits_for_every_model_of_the_publish_selector(orchestration):
    graph = orchestration.defs.resolve_asset_graph()
    parents = graph.get(dg.AssetKey("publication")).parent_keys
    assert sorted(key.path[-1] for key in parents) == dbt_selected_names("publish", "model")
    assert graph.get(dg.AssetKey("reader_refresh")).parent_keys == {dg.AssetKey("publication")}


def test_daily_job_and_schedule(orchestration):
    defs, module = orchestration.defs, orchestration.module
    daily = defs.resolve_job_def("daily")
    assert daily.asset_layer.selected_asset_keys == {
        *module.daily_dbt_build.keys, dg.AssetKey("publication"), dg.AssetKey("reader_refresh")}
    schedule = defs.resolve_schedule_def("daily_build_and_publish")
    assert (schedule.job_name, schedule.cron_schedule, schedule.execution_timezone) == (
        "daily", "0 6 * * *", "UTC")


def test_history_months_start_at_the_samples_first_order_and_wait_for_the_month_before(
        orchestration):
    module = orchestration.module
    with open(PROJECT_DIR / "data" / "sample" / "orders.csv", newline="") as handle:
        first_order = min(row["ordered_at"] for row in csv.DictReader(handle))
    months = module.MONTH_ENDS
    assert months.get_first_partition_key() == first_order[:7]
    assert module.month_end("2024-02") == dt.date(2024, 2, 29)
    assert module.month_end("2023-12") == dt.date(2023, 12, 31)

    history = orchestration.defs.resolve_assets_def("segment_history_month_end")
    key = history.key
    mapping = history.get_partition_mapping(key)

    def previous(partition: str) -> set[str]:
        return set(mapping.get_upstream_mapped_partitions_result_for_partitions(
            months.subset_with_partition_keys([partition]), months, months,
        ).partitions_subset.get_partition_keys())

    assert previous("2023-03") == {"2023-02"}
    assert previous("2024-01") == {"2023-12"}
    assert previous(months.get_first_partition_key()) == set()
    assert orchestration.defs.resolve_job_def("history_backfill").partitions_def == months


def test_out_of_order_months_are_refused(orchestration):
    out_of_order_reason = orchestration.module.out_of_order_reason
    jan, feb, mar = dt.date(2023, 1, 31), dt.date(2023, 2, 28), dt.date(2023, 3, 31)
    # The first month on empty history, the next month, the same month again: fine.
    assert out_of_order_reason(jan, None, None) is None
    assert out_of_order_reason(feb, jan, jan) is None
    assert out_of_order_reason(feb, jan, feb) is None
    # A month before recorded history, or one whose previous month is not recorded.
    assert "already holds 2023-02-28" in out_of_order_reason(jan, None, feb)
    assert "previous month end 2023-02-28 is not recorded" in out_of_order_reason(mar, feb, jan)
    assert "holds nothing" in out_of_order_reason(feb, jan, None)


def test_instance_settings_run_one_writer_and_one_backfill_run_at_a_time(orchestration,
                                                                          tmp_path):
    module = orchestration.module
    (tmp_path / "dagster.yaml").write_bytes(
        Path(module.__file__).with_name("dagster.yaml").read_bytes())
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        config = instance.get_concurrency_config()
    assert config.pool_config.pool_granularity.value == "run"
    assert config.pool_config.default_pool_limit == 1
    assert {"key": "dagster/backfill", "limit": 1} in config.run_queue_config.tag_concurrency_limits
    # Every step that writes the work file is in the pool those settings limit.
    defs = orchestration.defs
    writers = [module.daily_dbt_build, defs.resolve_assets_def("publication"),
               defs.resolve_assets_def("segment_history_month_end")]
    assert {writer.op.pool for writer in writers} == {module.WORK_DATABASE_POOL}


# --- the daily job on the bundled sample ---------------------------------------------------

@pytest.fixture(scope="module")
def daily_run(orchestration) -> dg.ExecuteInProcessResult:
    result = orchestration.defs.resolve_job_def("daily").execute_in_process(
        instance=orchestration.instance, raise_on_error=False)
    assert result.success, step_failures(result)
    return result


def test_daily_job_builds_every_asset_and_passes_every_check(orchestration, daily_run):
    module = orchestration.module
    materialized = {event.asset_key for event in daily_run.get_asset_materialization_events()}
    assert materialized == {*module.daily_dbt_build.keys, dg.AssetKey("publication"),
                            dg.AssetKey("reader_refresh")}
    evaluations = daily_run.get_asset_check_evaluations()
    assert {evaluation.asset_check_key for evaluation in evaluations} == set(
        module.daily_dbt_build.check_keys)
    assert [evaluation.check_name for evaluation in evaluations if not evaluation.passed] == []


def test_daily_job_publishes_the_marts_readers_then_see(orchestration, daily_run):
    public = sorted(f"{node['schema']}.{node['alias']}"
                    for node in orchestration.manifest["nodes"].values()
                    if node["resource_type"] == "model" and node.get("access") == "public")
    assert "marts.dim_customers" in public
    work = row_counts(orchestration.work_file, public)
    published = row_counts(orchestration.publication, public)
    assert published == work
    assert work["marts.dim_customers"] == 2001
    # What reader_refresh reported is what a reader counts in the publication.
    refreshed = materialization_metadata(daily_run, "reader_refresh")
    assert {relation: refreshed[f"rows/{relation}"] for relation in public} == published
    assert materialization_metadata(daily_run, "publication")["tables"] == len(public)


def test_a_month_before_recorded_history_is_refused_before_dbt_runs(orchestration, daily_run):
    # The daily build recorded history as of the sample's newest order.
    assert newest_recorded_as_of(orchestration.work_file) == dt.date(2025, 12, 31)
    runs = orchestration.folder / "target" / "dagster"
    before = set(runs.iterdir())
    result = orchestration.defs.resolve_job_def("history_backfill").execute_in_process(
        instance=orchestration.instance, partition_key="2025-11", raise_on_error=False)
    assert not result.success
    assert "already holds 2025-12-31, later than 2025-11-30" in step_failures(result)
    assert set(runs.iterdir()) == before  # no dbt invocation
    assert newest_recorded_as_of(orchestration.work_file) == dt.date(2025, 12, 31)


# --- one history month on a fresh work file -------------------------------------------------

def test_a_history_month_records_its_month_end_and_the_next_but_one_waits(
        orchestration, monkeypatch):
    history_file = orchestration.folder / "history" / "customer_segments.duckdb"
    history_file.parent.mkdir()
    monkeypatch.setenv(DATABASE_ENV, str(history_file))
    backfill = orchestration.defs.resolve_job_def("history_backfill")

    first = backfill.execute_in_process(instance=orchestration.instance, partition_key="2023-01",
                                        raise_on_error=False)
    assert first.success, step_failures(first)
    assert newest_recorded_as_of(history_file) == dt.date(2023, 1, 31)
    assert materialization_metadata(first, "segment_history_month_end")["as_of_date"] == (
        "2023-01-31")
    with duckdb.connect(str(history_file), read_only=True) as connection:
        as_of_dates = connection.execute(
            "select distinct cast(dbt_valid_from as date) from history.customer_segment_snapshot"
        ).fetchall()
        marts = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
        thresholds = connection.execute(
            "select as_of_date from marts.fct_top_customer_threshold").fetchall()
    assert as_of_dates == [(dt.date(2023, 1, 31),)]
    # The backfill selection: the snapshot and its parents, and the date's threshold.
    assert marts == [("fct_top_customer_threshold",)]
    assert thresholds == [(dt.date(2023, 1, 31),)]

    skipping = backfill.execute_in_process(instance=orchestration.instance,
                                           partition_key="2023-03", raise_on_error=False)
    assert not skipping.success
    assert "previous month end 2023-02-28 is not recorded" in step_failures(skipping)
    assert newest_recorded_as_of(history_file) == dt.date(2023, 1, 31)
