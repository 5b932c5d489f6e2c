"""The same raw folder built on DuckDB, PostgreSQL and Spark gives identical public tables:
every mart, the quarantine and the segment history after three as-of dates (money to the
cent, doubles to 1e-9 relative). Each engine is started by the test itself (a throwaway
PostgreSQL cluster, a Spark standalone cluster on 127.0.0.1) and stopped afterwards.

`make test-postgres` and `make test-spark` run one engine alone.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from customer_segments.dev.engines import postgres_cluster, spark_cluster
from engine_builds import EngineBuild, differences

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
# Three month ends: the history records each; the last one is what the marts show.
AS_OF_DATES = ["2025-10-31", "2025-11-30", "2025-12-31"]


# The earlier as-of dates only add to the history; their tests run in the last build.
WITHOUT_TESTS = ["--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]


def build_history(engine: EngineBuild) -> dict[str, list[dict]]:
    for as_of_date in AS_OF_DATES:
        engine.build(SAMPLE, as_of_date=as_of_date,
                     dbt_args=[] if as_of_date == AS_OF_DATES[-1] else WITHOUT_TESTS)
    tables = engine.read_public_tables()
    # Incremental runs leave no helper table where BI users browse: the marts schema holds
    # exactly the marts.
    assert engine.tables_in("marts") == {
        table for schema, table in engine.public_relations() if schema == "marts"}
    # The as-of guard: an earlier date fails, naming the guard, and changes no history.
    messages = engine.build(SAMPLE, as_of_date=AS_OF_DATES[0], expect_failure=True)
    assert "assert_as_of_date_is_not_before_recorded_history" in messages
    history = "history.customer_segment_snapshot"
    assert not differences({history: tables[history]}, engine.read_public_tables([history]))
    return tables


@pytest.fixture(scope="module")
def duckdb_tables(tmp_path_factory) -> dict[str, list[dict]]:
    return build_history(EngineBuild("duckdb", tmp_path_factory.mktemp("duckdb")))


@pytest.mark.postgres
def test_postgres_builds_the_same_tables_as_duckdb(tmp_path_factory, duckdb_tables):
    with postgres_cluster() as env:
        postgres = EngineBuild("postgres", tmp_path_factory.mktemp("postgres"), env)
        postgres_tables = build_history(postgres)
    assert_same_tables(duckdb_tables, postgres_tables)


@pytest.mark.spark
def test_spark_builds_the_same_tables_as_duckdb(tmp_path_factory, duckdb_tables):
    with spark_cluster() as env:
        spark = EngineBuild("spark", tmp_path_factory.mktemp("spark"), env)
        try:
            spark_tables = build_history(spark)
        finally:
            spark.stop()
    assert_same_tables(duckdb_tables, spark_tables)


def assert_same_tables(expected: dict[str, list[dict]], actual: dict[str, list[dict]]) -> None:
    problems = differences(expected, actual)
    assert not problems, "\n".join(problems)
    # The comparison is only as good as what was compared: every public table, with rows.
    assert len(expected) >= 15
    history = expected["history.customer_segment_snapshot"]
    assert {row["dbt_valid_from"].date().isoformat() for row in history} >= set(AS_OF_DATES[1:])
    top = [row for row in expected["marts.fct_customer_segments"]
           if row["segment_name"] == "Top Customers"]
    assert top and all(isinstance(row["net_lifetime_spend"], Decimal) for row in top)


def test_the_comparison_bites(duckdb_tables):
    """One cent, one label or one missing history row is a difference."""
    def altered(table: str, change) -> dict[str, list[dict]]:
        copy = {name: [dict(row) for row in rows] for name, rows in duckdb_tables.items()}
        change(copy[table])
        return copy

    def one_cent(rows):
        rows[0]["net_lifetime_spend"] += Decimal("0.01")

    def relabel(rows):
        rows[0]["segment_name"] = "Someone Else"

    def drop_row(rows):
        rows.pop()

    assert differences(duckdb_tables, altered("marts.dim_customers", one_cent))
    assert differences(duckdb_tables, altered("marts.fct_customer_segments", relabel))
    assert differences(duckdb_tables, altered("history.customer_segment_snapshot", drop_row))
    assert not differences(duckdb_tables, duckdb_tables)
