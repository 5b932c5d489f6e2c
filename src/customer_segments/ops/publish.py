"""Publish a passing build's public tables to the file readers open.

    customer-segments publish [--database customer_segments.duckdb]
        [--publication publication/customer_segments.duckdb] [--target-path target]

BI tools, the semantic layer and the campaign export read the publication, never the
file dbt builds: a reader on the work file would lock dbt out, and would see a build
half done. Publishing:
1. refuses unless the build's run_results.json (in the target path) shows a `dbt build`
   in which nothing failed and every public model (access: public; selector `publish`)
   and every data test on one was built and passed, and that build is the invocation
   that last wrote the work file (`dbt_state.last_invocation`, recorded on-run-start);
2. copies every public model, same schema and name, with its dbt descriptions as table
   and column comments, plus `publication.published_tables` (what was published, when,
   from which dbt invocation) into a new file beside the publication, in DuckDB's v1.0.0
   storage format so DuckDB 1.x clients (Evidence, the Node client) can read it;
3. renames it over the publication in one step.
Readers that hold the previous publication open keep reading it until they reconnect;
a build that fails publishes nothing, so readers keep the last good publication.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import json
import os
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from customer_segments.ops.database_files import (
    LockedDatabase,
    lock_explained,
    publication_path,
    work_database,
)
from customer_segments.ops.dbt_invoke import default_target_path

# The oldest storage format DuckDB 2.0 writes: DuckDB 1.0 and every later client read it.
STORAGE_VERSION = "v1.0.0"
# Saved queries (the semantic layer) build as no-ops.
PASSED = {"success", "pass", "warn", "no-op"}


class PublishRefused(Exception):
    """The build is not one to publish, or another publish is running; str() says why."""


@dataclass(frozen=True)
class PublicTable:
    schema: str
    name: str
    description: str
    columns: dict[str, str]

    @property
    def unique_id_suffix(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True)
class Publication:
    path: Path
    row_counts: dict[str, int]
    published_at: dt.datetime


def public_tables(manifest: dict[str, Any]) -> dict[str, PublicTable]:
    """unique_id -> table, for every enabled model with access public."""
    return {
        unique_id: PublicTable(
            schema=node["schema"], name=node["alias"], description=node["description"],
            columns={name: column["description"] for name, column in node["columns"].items()},
        )
        for unique_id, node in sorted(manifest["nodes"].items())
        if node["resource_type"] == "model" and node["config"].get("access") == "public"
        and node["config"].get("enabled", True)
    }


def tests_of(manifest: dict[str, Any], public: dict[str, PublicTable]) -> set[str]:
    """unique_id of every data test that reads a public model."""
    return {unique_id for unique_id, node in manifest["nodes"].items()
            if node["resource_type"] == "test"
            and set(node["depends_on"]["nodes"]) & set(public)}


def check_build_passed(run_results: dict[str, Any], public: dict[str, PublicTable],
                       tests: Collection[str] = ()) -> None:
    """Raise PublishRefused unless this is a dbt build that passed and built every public
    model and ran every test of `tests`."""
    command = run_results.get("args", {}).get("which")
    if command != "build":
        raise PublishRefused(f"the last dbt command was `dbt {command}`, not `dbt build`: "
                             "publish after a build")
    statuses = {result["unique_id"]: result["status"] for result in run_results["results"]}
    failed = sorted(unique_id for unique_id, status in statuses.items() if status not in PASSED)
    if failed:
        listing = ", ".join(f"{unique_id} ({statuses[unique_id]})" for unique_id in failed[:5])
        more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
        raise PublishRefused(f"the build did not pass: {listing}{more}; "
                             "the previous publication stays in place")
    missing = sorted(set(public) - set(statuses))
    if missing:
        raise PublishRefused(f"the build did not build {len(missing)} public model(s) "
                             f"({', '.join(missing[:5])}): publish after a build of "
                             "everything (`dbt build`, or --selector daily)")
    untested = sorted(set(tests) - set(statuses))
    if untested:
        raise PublishRefused(f"the build did not run {len(untested)} test(s) of the public "
                             f"models ({', '.join(untested[:3])}): publish after a build "
                             "with its tests")


def check_same_invocation(recorded: str | None, run_results: dict[str, Any]) -> None:
    """Raise PublishRefused unless the work file was last written by the run_results' build."""
    built = run_results["metadata"]["invocation_id"]
    if recorded != built:
        raise PublishRefused(
            f"the work file was last written by dbt invocation {recorded or '(none recorded)'}, "
            f"not by the build whose results are given ({built}): a later run changed it "
            "or did not finish; build again, then publish")


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@contextlib.contextmanager
def _one_publisher(publication: Path) -> Iterator[None]:
    """An exclusive lock beside the publication: two publishes never interleave."""
    publication.parent.mkdir(parents=True, exist_ok=True)
    with open(publication.parent / f".{publication.name}.publish-lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishRefused(f"another publish of {publication} is running: "
                                 "wait for it, then run again") from None
        yield


def _recorded_invocation(connection: duckdb.DuckDBPyConnection) -> str | None:
    recorded = connection.execute(
        "select count(*) from duckdb_tables() where database_name = 'work' "
        "and schema_name = 'dbt_state' and table_name = 'last_invocation'").fetchone()
    if not recorded or not recorded[0]:
        return None
    row = connection.execute(
        "select invocation_id from work.dbt_state.last_invocation").fetchone()
    return str(row[0]) if row else None


def _copy_tables(database: Path, staging: Path, public: dict[str, PublicTable],
                 run_results: dict[str, Any], published_at: dt.datetime) -> dict[str, int]:
    connection = duckdb.connect(":memory:")
    row_counts = {}
    try:
        with lock_explained(database):
            connection.execute(f"attach {_literal(str(database))} as work (read_only)")
        # Checked while this connection holds the file: no build can start in between.
        check_same_invocation(_recorded_invocation(connection), run_results)
        connection.execute(f"attach {_literal(str(staging))} as publication_next "
                           f"(storage_version {_literal(STORAGE_VERSION)})")
        for schema in sorted({table.schema for table in public.values()} | {"publication"}):
            connection.execute(f"create schema publication_next.{_quoted(schema)}")
        for table in public.values():
            target = f"publication_next.{_quoted(table.schema)}.{_quoted(table.name)}"
            connection.execute(f"create table {target} as select * from "
                               f"work.{_quoted(table.schema)}.{_quoted(table.name)}")
            connection.execute(f"comment on table {target} is {_literal(table.description)}")
            built = {row[0] for row in connection.execute(
                "select column_name from duckdb_columns() where database_name = "
                "'publication_next' and schema_name = ? and table_name = ?",
                [table.schema, table.name]).fetchall()}
            for column, description in table.columns.items():
                if column in built and description:
                    connection.execute(f"comment on column {target}.{_quoted(column)} "
                                       f"is {_literal(description)}")
            count = connection.execute(f"select count(*) from {target}").fetchone()
            row_counts[f"{table.schema}.{table.name}"] = int(count[0]) if count else 0
        as_of = connection.execute(
            "select max(as_of_date) from work.marts.fct_revenue_summary"
        ).fetchone() if any(t.unique_id_suffix == "marts.fct_revenue_summary"
                            for t in public.values()) else None
        connection.execute(
            "create table publication_next.publication.published_tables ("
            " table_schema varchar, table_name varchar, row_count bigint, as_of_date date,"
            " published_at timestamp, dbt_invocation_id varchar, dbt_build_finished_at timestamp)")
        connection.executemany(
            "insert into publication_next.publication.published_tables "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [(*name.split(".", 1), count, as_of[0] if as_of else None,
              published_at.replace(tzinfo=None), run_results["metadata"]["invocation_id"],
              run_results["metadata"]["generated_at"].rstrip("Z"))
             for name, count in row_counts.items()])
        connection.execute("comment on table publication_next.publication.published_tables is "
                           "'One row per published table: its rows, the as-of date of the "
                           "build, when it was published (UTC) and from which dbt run.'")
        connection.execute("detach publication_next")
    finally:
        connection.close()
    return row_counts


def publish(database: Path, publication: Path, target_path: Path) -> Publication:
    """Publish the build of `database` whose dbt artifacts are in `target_path`."""
    for artifact in ("manifest.json", "run_results.json"):
        if not (target_path / artifact).exists():
            raise PublishRefused(f"{target_path / artifact} does not exist: "
                                 "publish reads the artifacts of the build it publishes")
    manifest = json.loads((target_path / "manifest.json").read_text())
    run_results = json.loads((target_path / "run_results.json").read_text())
    public = public_tables(manifest)
    if not public:
        raise PublishRefused(f"{target_path / 'manifest.json'} has no public model "
                             "(access: public): nothing to publish")
    check_build_passed(run_results, public, tests_of(manifest, public))
    if not database.exists():
        raise FileNotFoundError(f"{database} does not exist: run `make build` first.")
    published_at = dt.datetime.now(dt.UTC)
    with _one_publisher(publication):
        staging = publication.with_name(f".{publication.name}.next")
        for leftover in (staging, staging.with_name(staging.name + ".wal")):
            leftover.unlink(missing_ok=True)
        try:
            row_counts = _copy_tables(database, staging, public, run_results, published_at)
            with open(staging, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(staging, publication)
        finally:
            staging.unlink(missing_ok=True)
        directory = os.open(publication.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return Publication(publication, row_counts, published_at)


def publish_and_report(database: Path, publication: Path, target_path: Path) -> int:
    """Publish, printing one line either way (never a traceback); 0 when published."""
    try:
        result = publish(database, publication, target_path)
    except (PublishRefused, LockedDatabase, FileNotFoundError) as error:
        print(f"publish: {error}", file=sys.stderr)
        return 1
    except (duckdb.Error, OSError, ValueError) as error:
        print(f"publish: nothing published ({type(error).__name__}: {error})", file=sys.stderr)
        return 1
    print(f"published {len(result.row_counts)} tables "
          f"({sum(result.row_counts.values())} rows) to {result.path}")
    return 0


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", type=Path, default=None,
                        help="the built work file (default: CUSTOMER_SEGMENTS_DUCKDB_PATH, "
                             "else customer_segments.duckdb)")
    parser.add_argument("--publication", type=Path, default=None,
                        help="the file readers open (default: CUSTOMER_SEGMENTS_PUBLICATION_PATH, "
                             "else publication/customer_segments.duckdb)")
    parser.add_argument("--target-path", type=Path, default=None,
                        help="dbt's target folder of the build (default: DBT_TARGET_PATH, "
                             "else ./target)")
    args = parser.parse_args(argv)
    return publish_and_report(args.database or work_database(),
                              args.publication or publication_path(),
                              args.target_path or default_target_path())


if __name__ == "__main__":
    raise SystemExit(main())
