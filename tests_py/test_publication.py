"""The publication: readers and builds never lock each other out, a failed build publishes
nothing, and DuckDB 1.x clients read what is published.

The builds run `make build` as a user does, in a subprocess, on the bundled sample (each
into this test's own work file, publication and dbt target folder), while this process
holds read-only connections to the publication.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from customer_segments.ops import export_segment
from customer_segments.ops import publish as publish_module
from customer_segments.ops.dbt_invoke import PROJECT_DIR
from customer_segments.ops.publish import (
    PublishRefused,
    _one_publisher,
    check_build_passed,
    public_tables,
    publish,
)

DUCKDB_1X_CLIENTS = sorted((PROJECT_DIR / ".venv").glob("duckdb-1.*/bin/python"))


class MakeBuild:
    """`make build` as of a date, in the background; its output goes to a file (a pipe
    nobody reads while the build runs would fill up and stop it)."""

    def __init__(self, tmp_path: Path, as_of_date: str) -> None:
        env = {**os.environ,
               "DBT_TARGET_PATH": str(tmp_path / "target"),
               "DBT_LOG_PATH": str(tmp_path / "logs")}
        self.log = tmp_path / f"make_build_{as_of_date}.log"
        with open(self.log, "w") as output:
            self.process = subprocess.Popen(
                # `-o`: never reinstall the venv another test worker is using.
                ["make", "--no-print-directory", "-o", ".venv/bin/.installed", "build",
                 f"DATABASE={tmp_path / 'work.duckdb'}",
                 f"PUBLICATION={tmp_path / 'publication' / 'customer_segments.duckdb'}",
                 f"VARS={{as_of_date: '{as_of_date}'}}"],
                cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)

    def running(self) -> bool:
        return self.process.poll() is None

    def finish(self) -> tuple[int, str]:
        code = self.process.wait(timeout=600)
        return code, self.log.read_text()


def published_as_of(connection: duckdb.DuckDBPyConnection) -> str:
    rows = connection.execute(
        "select distinct cast(as_of_date as varchar) from publication.published_tables"
    ).fetchall()
    assert len(rows) == 1, rows
    return str(rows[0][0])


def public_names(tmp_path: Path) -> set[str]:
    """schema.table of every public model in the build's manifest."""
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text())
    return {f"{table.schema}.{table.name}" for table in public_tables(manifest).values()}


def read_while_running(build: MakeBuild, publication: Path,
                       table_count: int) -> tuple[int, list[str]]:
    """Open the publication over and over while the build runs: (attempts, failures)."""
    attempts, failures = 0, []
    while build.running():
        attempts += 1
        try:
            with duckdb.connect(str(publication), read_only=True) as reader:
                tables = reader.execute(
                    "select count(*) from publication.published_tables").fetchone()
                assert tables is not None and tables[0] == table_count, tables
                reader.execute("select count(*) from marts.fct_customer_segments").fetchall()
        except Exception as error:  # every failure is the finding
            failures.append(f"{type(error).__name__}: {error}")
        time.sleep(0.25)
    return attempts, failures


def test_readers_and_builds_never_lock_each_other_out(tmp_path: Path) -> None:
    publication = tmp_path / "publication" / "customer_segments.duckdb"
    first = MakeBuild(tmp_path, "2025-11-30")
    code, output = first.finish()
    assert code == 0, output
    public = public_names(tmp_path)
    assert {"marts.dim_customers", "staging.stg_shop__rejected_rows"} <= public
    # What publish copies is what dbt's own `publish` selector selects.
    from dbt.cli.main import dbtRunner
    listed = dbtRunner().invoke([
        "ls", "--quiet", "--selector", "publish", "--resource-type", "model", "--output",
        "name", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(tmp_path / "target_ls")])
    assert listed.success, listed.exception
    assert set(listed.result) == {name.split(".", 1)[1] for name in public}
    published_line = (rf"published {len(public)} tables \(\d+ rows\) to "
                      rf"{re.escape(str(publication))}")
    assert re.search(published_line, output), output[-2000:]

    # A BI tool keeps its connection open through the next two builds.
    reader = duckdb.connect(str(publication), read_only=True)
    customers_before = reader.execute(
        "select count(*) from marts.dim_customers").fetchall()
    assert published_as_of(reader) == "2025-11-30"

    second = MakeBuild(tmp_path, "2025-12-31")
    attempts, failures = read_while_running(second, publication, len(public))
    code, output = second.finish()
    assert code == 0, output
    assert attempts >= 10 and failures == [], (attempts, failures)
    # The open connection still reads the publication it opened, whole ...
    assert published_as_of(reader) == "2025-11-30"
    assert reader.execute("select count(*) from marts.dim_customers").fetchall() \
        == customers_before
    reader.close()
    # ... and a new one reads the new publication.
    reader = duckdb.connect(str(publication), read_only=True)
    assert published_as_of(reader) == "2025-12-31"
    with duckdb.connect(str(tmp_path / "work.duckdb"), read_only=True) as work:
        for schema, table, rows in reader.execute(
                "select table_schema, table_name, row_count "
                "from publication.published_tables").fetchall():
            assert work.execute(f"select count(*) from {schema}.{table}").fetchall() \
                == [(rows,)] == reader.execute(f"select count(*) from {schema}.{table}").fetchall()
        work_tables = {row[0] for row in work.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('marts', 'staging')").fetchall()}
    published = {row[0] for row in reader.execute(
        "select table_schema || '.' || table_name from information_schema.tables").fetchall()}
    # Only the public tables and the publication's own record: no base or helper tables.
    assert published == public | {"publication.published_tables"}
    assert published - work_tables == {"publication.published_tables"}

    # (DuckDB shares one open database per file within a process: a new connection here
    # sees a replaced publication only once every connection to the old one is closed.)
    reader.close()
    refusals_leave_the_publication_as_it_was(tmp_path, publication)
    reader = duckdb.connect(str(publication), read_only=True)

    # A build that fails (an as-of date before the recorded history: the as-of guard)
    # leaves the publication as it was, readable by the reader that stayed open.
    failing = MakeBuild(tmp_path, "2025-10-31")
    attempts, failures = read_while_running(failing, publication, len(public))
    code, output = failing.finish()
    assert code != 0
    assert "published" not in output
    assert failures == [], failures
    assert published_as_of(reader) == "2025-12-31"
    reader.close()
    with duckdb.connect(str(publication), read_only=True) as fresh:
        assert published_as_of(fresh) == "2025-12-31"

    # DuckDB 1.x clients (Evidence, the Node client) read the publication.
    assert DUCKDB_1X_CLIENTS, "make duckdb-clients installs them"
    for client in DUCKDB_1X_CLIENTS:
        read = subprocess.run(
            [str(client), "-c",
             "import duckdb, json, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
             "print(json.dumps([duckdb.__version__, c.execute('select sum(row_count) "
             "from publication.published_tables').fetchone()[0], c.execute('select "
             "cast(sum(net_lifetime_spend) as varchar) from marts.dim_customers')"
             ".fetchone()[0]]))", str(publication)],
            capture_output=True, text=True, check=False)
        assert read.returncode == 0, read.stderr
        version, rows, spend = json.loads(read.stdout)
        assert version.startswith("1.")
        with duckdb.connect(str(publication), read_only=True) as current:
            assert [rows, spend] == [
                current.execute("select sum(row_count) from publication.published_tables")
                .fetchone()[0],
                current.execute("select cast(sum(net_lifetime_spend) as varchar) "
                                "from marts.dim_customers").fetchone()[0]]


def refusals_leave_the_publication_as_it_was(tmp_path: Path, publication: Path) -> None:
    """Another publish running, a copy that fails half way, a work file written since the
    build: each refused, the publication unchanged, no half-written file left."""
    work, target = tmp_path / "work.duckdb", tmp_path / "target"

    def published_at() -> list[tuple]:
        with duckdb.connect(str(publication), read_only=True) as reader:
            return reader.execute(
                "select distinct published_at from publication.published_tables").fetchall()

    before = published_at()
    with _one_publisher(publication), pytest.raises(PublishRefused, match="another publish"):
        publish(work, publication, target)

    def copy_then_fail(database, staging, *args):
        staging.write_bytes(b"half a database")
        raise OSError("No space left on device")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(publish_module, "_copy_tables", copy_then_fail)
        with pytest.raises(OSError, match="No space left"):
            publish(work, publication, target)

    # A build started since (and killed before it wrote its results) wrote the file.
    with duckdb.connect(str(work)) as writer:
        recorded = writer.execute("select invocation_id from dbt_state.last_invocation").fetchone()
        writer.execute("update dbt_state.last_invocation set invocation_id = 'killed-build'")
    with pytest.raises(PublishRefused, match="last written by dbt invocation killed-build"):
        publish(work, publication, target)
    assert published_at() == before
    assert sorted(path.name for path in publication.parent.iterdir()) == [
        ".customer_segments.duckdb.publish-lock", "customer_segments.duckdb"]

    # The build's own results still publish it.
    assert recorded is not None
    with duckdb.connect(str(work)) as writer:
        writer.execute("update dbt_state.last_invocation set invocation_id = ?", [recorded[0]])
    assert publish(work, publication, target).row_counts
    assert published_at() != before


def test_publish_refuses_a_build_that_did_not_pass_or_did_not_build_everything() -> None:
    public = public_tables({"nodes": {
        "model.p.dim_customers": {"resource_type": "model", "schema": "marts",
                                  "alias": "dim_customers", "description": "",
                                  "columns": {}, "config": {"access": "public"}},
        "model.p.int_x": {"resource_type": "model", "schema": "intermediate", "alias": "int_x",
                          "description": "", "columns": {}, "config": {"access": "private"}},
    }})
    assert list(public) == ["model.p.dim_customers"]

    def results(*statuses: tuple[str, str], which: str = "build") -> dict:
        return {"args": {"which": which},
                "results": [{"unique_id": unique_id, "status": status}
                            for unique_id, status in statuses]}

    check_build_passed(results(("model.p.dim_customers", "success"), ("test.p.t", "warn")),
                       public)
    with pytest.raises(PublishRefused, match=r"did not pass: test.p.t \(fail\)"):
        check_build_passed(results(("model.p.dim_customers", "success"), ("test.p.t", "fail")),
                           public)
    with pytest.raises(PublishRefused, match="did not build 1 public model"):
        check_build_passed(results(("model.p.int_x", "success")), public)
    with pytest.raises(PublishRefused, match="not `dbt build`"):
        check_build_passed(results(("model.p.dim_customers", "success"), which="run"), public)
    # Built, but its tests were left out (--exclude-resource-type test).
    with pytest.raises(PublishRefused, match="did not run 1 test"):
        check_build_passed(results(("model.p.dim_customers", "success")), public,
                           {"test.p.unique_dim_customers_customer_id"})


def test_a_locked_file_is_one_line_naming_the_holder(tmp_path: Path, capsys) -> None:
    database = tmp_path / "work.duckdb"
    duckdb.connect(str(database)).close()
    # A writer in another process (as dbt is during a build).
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('open', flush=True); time.sleep(60)", str(database)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        code = export_segment.main(["--family", "top_customers", "--segment", "Top Customers",
                                    "--out", str(tmp_path / "out.csv"),
                                    "--database", str(database)])
    finally:
        holder.kill()
        holder.wait()
    message = capsys.readouterr().err
    assert code == 2
    assert message.count("\n") == 1 and "Traceback" not in message, message
    assert f"{database} is locked by PID {holder.pid} (python" in message, message
    assert "read the publication" in message
