"""Copy a raw folder (the DuckDB reader's layout: <table>.csv / .csv.gz / .parquet, or a
folder <table>/ of them) into the raw schema of any target, as text plus `_loaded_at`.

    customer-segments load-raw --target postgres data/sample
    customer-segments load-raw --target spark data/sample

The folder is read by the project's own DuckDB reader (the same sniffing of encodings and
delimiters, the same contract checks and error messages as a DuckDB build), so every engine
starts from the same rows. Each table of the contract is replaced whole: the raw schema
mirrors the folder. `_loaded_at` is each file's modification time, so reloading a folder
with one new file lets incremental models read only that file's rows. `_source_file` and
`_extra_fields` (the values of a CSV row beyond its header) are kept too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from customer_segments.ops.dbt_invoke import invoke
from customer_segments.ops.warehouse import connected


class RawFolderError(RuntimeError):
    """The folder breaks the raw-data contract; the message is the reader's own."""


def read_raw_folder(folder: Path, raw_schema: str, workdir: Path) -> dict[str, object]:
    """{table: pandas frame} of every contract table, read by the DuckDB reader."""
    import duckdb

    database = workdir / "raw_reader.duckdb"
    result = invoke(["run-operation", "register_raw_tables", "--target", "dev"],
                    variables={"raw_data_path": str(folder.resolve()), "raw_schema": raw_schema},
                    database=database, target_path=workdir / "target")
    if not result.success:
        raise RawFolderError(result.messages)
    frames: dict[str, object] = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = [name for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "and not starts_with(table_name, '_files_') order by 1", [raw_schema]).fetchall()]
        for table in tables:
            frames[table] = connection.execute(
                f'select * from "{raw_schema}"."{table}"').df()
    return frames


def load_raw(folder: Path, target: str | None, raw_schema: str = "shop_raw") -> dict[str, int]:
    """Load `folder` into `raw_schema` of `target`; returns rows loaded per table."""
    with tempfile.TemporaryDirectory(prefix="customer_segments_load_") as workdir:
        frames = read_raw_folder(folder, raw_schema, Path(workdir))
    loaded: dict[str, int] = {}
    with connected(target) as warehouse:
        for table, frame in frames.items():
            column_types = {name: warehouse.sql_type("timestamp" if name == "_loaded_at"
                                                     else "text")
                            for name in frame.columns}  # type: ignore[attr-defined]
            warehouse.replace_table(raw_schema, table, frame, column_types)  # type: ignore[arg-type]
            loaded[table] = len(frame)  # type: ignore[arg-type]
    return loaded


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the raw folder, e.g. data/sample")
    parser.add_argument("--target", help="the profile target (default: DBT_TARGET, else dev)")
    parser.add_argument("--raw-schema", default="shop_raw",
                        help="the schema to load into (var raw_schema; default shop_raw)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"{args.folder} is not a folder of raw files.", file=sys.stderr)
        return 2
    try:
        loaded = load_raw(args.folder, args.target, args.raw_schema)
    except RawFolderError as error:
        print(f"The raw folder breaks the contract:\n{error}", file=sys.stderr)
        return 1
    for table, rows in loaded.items():
        print(f"{args.raw_schema}.{table}: {rows} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
