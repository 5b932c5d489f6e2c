"""The project's own commands reach the warehouse through the dbt profile, so a command
and `dbt build` always talk to the same database: `connect(target)` renders
`profiles.yml` exactly as dbt does (env vars included) and opens that target.

A `Warehouse` can read a query into pandas and replace a table with a pandas frame; that
is all the loader and the CLV fit need, on DuckDB, PostgreSQL and Spark alike.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from customer_segments.ops.dbt_invoke import PROJECT_DIR

PROFILE_NAME = "customer_segments"


def profile_credentials(target: str | None = None) -> Any:
    """The rendered credentials of `target` (default: DBT_TARGET, else the profile's)."""
    from argparse import Namespace

    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    set_from_args(Namespace(), None)
    set_invocation_context(dict(os.environ))
    profiles_dir = os.environ.get("DBT_PROFILES_DIR", str(PROJECT_DIR))
    profile = Profile.from_raw_profiles(read_profile(profiles_dir), PROFILE_NAME,
                                        ProfileRenderer({}), target_override=target)
    return profile.credentials


# The column kinds the project's commands write, and what each engine calls them.
SQL_TYPES = {
    "duckdb": {"text": "varchar", "double": "double", "bigint": "bigint",
               "boolean": "boolean", "date": "date", "timestamp": "timestamp"},
    "postgres": {"text": "text", "double": "double precision", "bigint": "bigint",
                 "boolean": "boolean", "date": "date", "timestamp": "timestamp"},
    "spark": {"text": "string", "double": "double", "bigint": "bigint",
              "boolean": "boolean", "date": "date", "timestamp": "timestamp"},
}


class Warehouse:
    """One open connection to one target."""

    engine: str

    def sql_type(self, kind: str) -> str:
        """This engine's name for a column kind of SQL_TYPES (text, double, ...)."""
        return SQL_TYPES[self.engine][kind]

    def query(self, sql: str) -> pd.DataFrame:
        raise NotImplementedError

    def rows(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Column names and rows as the driver returns them (dates as dates, decimals as
        Decimal), for exact comparisons."""
        raise NotImplementedError

    def execute(self, sql: str) -> None:
        raise NotImplementedError

    def replace_table(self, schema: str, table: str, frame: pd.DataFrame,
                      column_types: dict[str, str]) -> None:
        """Create (or replace) `schema.table` with `frame`'s rows; `column_types` maps
        every column, in order, to its SQL type."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def quote(self, identifier: str) -> str:
        return '"' + identifier.replace('"', '""') + '"'

    def tables_in(self, schema: str) -> set[str]:
        """The tables and views a reader browsing `schema` sees."""
        _, rows = self.rows("select table_name from information_schema.tables "
                            f"where table_schema = '{schema}'")
        return {str(row[0]) for row in rows}


class DuckDBWarehouse(Warehouse):
    engine = "duckdb"

    def __init__(self, path: str, settings: dict[str, Any]) -> None:
        import duckdb

        self.connection = duckdb.connect(path)
        for key, value in settings.items():
            # TimeZone needs the icu extension, which a plain connection loads on request.
            if key.lower() == "timezone":
                self.connection.execute("load icu")
            self.connection.execute(f"set {key} = '{value}'")

    def query(self, sql: str) -> pd.DataFrame:
        return self.connection.execute(sql).df()

    def rows(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cursor = self.connection.execute(sql)
        return [column[0] for column in cursor.description], cursor.fetchall()

    def execute(self, sql: str) -> None:
        self.connection.execute(sql)

    def replace_table(self, schema: str, table: str, frame: pd.DataFrame,
                      column_types: dict[str, str]) -> None:
        relation = f"{self.quote(schema)}.{self.quote(table)}"
        casts = ", ".join(f"cast({self.quote(name)} as {sql_type}) as {self.quote(name)}"
                          for name, sql_type in column_types.items())
        self.connection.execute(f"create schema if not exists {self.quote(schema)}")
        self.connection.register("incoming_frame", frame)
        self.connection.execute(
            f"create or replace table {relation} as select {casts} from incoming_frame")
        self.connection.unregister("incoming_frame")

    def close(self) -> None:
        self.connection.close()


class PostgresWarehouse(Warehouse):
    engine = "postgres"

    def __init__(self, credentials: Any) -> None:
        import psycopg2

        self.connection = psycopg2.connect(
            host=credentials.host, port=credentials.port, user=credentials.user,
            password=credentials.password, dbname=credentials.database,
            connect_timeout=credentials.connect_timeout, options="-c timezone=UTC")

    def query(self, sql: str) -> pd.DataFrame:
        names, rows = self.rows(sql)
        return pd.DataFrame(rows, columns=names)

    def rows(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            return [column[0] for column in cursor.description], cursor.fetchall()

    def execute(self, sql: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
        self.connection.commit()

    def replace_table(self, schema: str, table: str, frame: pd.DataFrame,
                      column_types: dict[str, str]) -> None:
        relation = f"{self.quote(schema)}.{self.quote(table)}"
        columns = ", ".join(f"{self.quote(name)} {sql_type}"
                            for name, sql_type in column_types.items())
        buffer = io.StringIO()
        for row in frame[list(column_types)].itertuples(index=False, name=None):
            buffer.write("\t".join(_copy_text(value) for value in row))
            buffer.write("\n")
        buffer.seek(0)
        with self.connection.cursor() as cursor:
            cursor.execute(f"create schema if not exists {self.quote(schema)}")
            cursor.execute(f"drop table if exists {relation} cascade")
            cursor.execute(f"create table {relation} ({columns})")
            cursor.copy_expert(f"copy {relation} from stdin", buffer)
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One field of COPY's text format: NULL is \\N, so an empty string stays empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "\\N"
    return str(value).translate(_COPY_ESCAPES)


class SparkWarehouse(Warehouse):
    engine = "spark"

    def __init__(self, credentials: Any) -> None:
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.enableHiveSupport()
        for key, value in (credentials.server_side_parameters or {}).items():
            builder = builder.config(key, value)
        self.session = builder.getOrCreate()

    def quote(self, identifier: str) -> str:
        return "`" + identifier.replace("`", "``") + "`"

    def tables_in(self, schema: str) -> set[str]:
        if not self.session.catalog.databaseExists(schema):
            return set()
        # A session's temporary views are listed in every schema, but only that session sees them.
        return {row.tableName for row in self.session.sql(f"show tables in {self.quote(schema)}")
                .collect() if not row.isTemporary}

    def query(self, sql: str) -> pd.DataFrame:
        return self.session.sql(sql).toPandas()

    def rows(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        result = self.session.sql(sql)
        return list(result.columns), [tuple(row) for row in result.collect()]

    def execute(self, sql: str) -> None:
        self.session.sql(sql)

    def replace_table(self, schema: str, table: str, frame: pd.DataFrame,
                      column_types: dict[str, str]) -> None:
        """Through a Parquet file the executors read (they share this machine's or the
        cluster's file system with the driver, as the warehouse folder does)."""
        import tempfile

        relation = f"{self.quote(schema)}.{self.quote(table)}"
        casts = [f"cast({self.quote(name)} as {sql_type}) as {self.quote(name)}"
                 for name, sql_type in column_types.items()]
        self.session.sql(f"create database if not exists {self.quote(schema)}")
        warehouse_dir = self.session.conf.get("spark.sql.warehouse.dir") or "spark-warehouse"
        staging_root = warehouse_dir.removeprefix("file:")
        with tempfile.TemporaryDirectory(prefix="_incoming_", dir=staging_root) as staging:
            path = f"{staging}/{table}.parquet"
            frame[list(column_types)].to_parquet(path, index=False)
            data = self.session.read.parquet(path).selectExpr(*casts)
            self.session.sql(f"drop table if exists {relation}")
            data.write.format("parquet").saveAsTable(f"{schema}.{table}")

    def close(self) -> None:
        """The session belongs to the process (dbt-spark reuses it): left running."""


def connect(target: str | None = None) -> Warehouse:
    credentials = profile_credentials(target)
    if credentials.type == "duckdb":
        path = str(Path(credentials.path))
        return DuckDBWarehouse(path, dict(credentials.settings or {}))
    if credentials.type == "postgres":
        return PostgresWarehouse(credentials)
    if credentials.type == "spark":
        return SparkWarehouse(credentials)
    raise ValueError(f"target type {credentials.type!r} is not supported by the project's "
                     "commands (duckdb, postgres, spark)")


@contextlib.contextmanager
def connected(target: str | None = None) -> Iterator[Warehouse]:
    warehouse = connect(target)
    try:
        yield warehouse
    finally:
        warehouse.close()
