"""Benchmark the project on each engine, on the same machine and the same raw folders.

    customer-segments bench-engines                      # the bundled sample, every engine
    customer-segments bench-engines --size 1000000 --engine postgres --engine spark

For each engine (a throwaway PostgreSQL cluster, a Spark standalone cluster with two
one-core workers; DuckDB needs none) and raw folder it times what a user runs:
`load-raw` (not on DuckDB, which reads the files), `customer-segments build` on an empty
warehouse (full), and the same build again with nothing new (the daily run's fixed cost).
Prints a markdown table. Timings are never asserted anywhere.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from customer_segments.dev.bench import machine_description, timed
from customer_segments.dev.engines import postgres_cluster, spark_cluster
from customer_segments.ops.dbt_invoke import PROJECT_DIR

ENGINES = ("duckdb", "postgres", "spark")
SAMPLE = PROJECT_DIR / "data" / "sample"


@contextlib.contextmanager
def engine_environment(engine: str, workdir: Path) -> Iterator[dict[str, str]]:
    if engine == "duckdb":
        yield {"DBT_TARGET": "dev",
               "CUSTOMER_SEGMENTS_DUCKDB_PATH": str(workdir / "warehouse.duckdb")}
    elif engine == "postgres":
        with postgres_cluster() as env:
            yield env
    else:
        with spark_cluster() as env:
            yield env


def generated_folder(size: int, data_root: Path) -> Path:
    folder = data_root / f"orders_{size}"
    if not (folder / "orders").exists():
        subprocess.run([sys.executable, "-m", "customer_segments.dev.generate_sample",
                        "--orders", str(size), "--format", "parquet", "--out", str(folder)],
                       check=True, cwd=PROJECT_DIR)
    return folder


def bench_engine(engine: str, folder: Path, label: str) -> list[str]:
    command = [str(Path(sys.executable).parent / "customer-segments")]
    rows = []
    with tempfile.TemporaryDirectory(prefix=f"bench_{engine}_") as workdir, \
            engine_environment(engine, Path(workdir)) as env:
        target = ["--target-path", str(Path(workdir) / "target")]
        variables = ["--", "--vars", f"{{raw_data_path: '{folder}'}}",
                     "--exclude-resource-type", "unit_test"]
        if engine != "duckdb":
            seconds, peak, _ = timed([*command, "load-raw", str(folder)], env)
            rows.append(("load-raw", seconds, peak))
        for step in ("build (full)", "build again (nothing new)"):
            seconds, peak, _ = timed([*command, "build", *target, *variables], env)
            rows.append((step, seconds, peak))
    return [f"| {engine} | {label} | {step} | {seconds:,.1f} | {peak:.2f} |"
            for step, seconds, peak in rows]


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", action="append", choices=ENGINES,
                        help="engine to measure (repeat; default all three)")
    parser.add_argument("--size", type=int, action="append", default=[],
                        help="also a generated folder of this many orders (repeat)")
    parser.add_argument("--no-sample", action="store_true", help="skip the bundled sample")
    parser.add_argument("--data-root", type=Path, default=PROJECT_DIR / "bench" / "data")
    args = parser.parse_args(argv)
    folders = [] if args.no_sample else [(SAMPLE, "sample (20,013 orders)")]
    folders += [(generated_folder(size, args.data_root), f"{size:,} orders")
                for size in args.size]
    print(f"Machine: {machine_description()}; {os.cpu_count()} cores shared by the engine "
          "and dbt\n")
    print("| engine | data | step | seconds | peak GiB (driver) |")
    print("|---|---|---|---:|---:|")
    started = time.monotonic()
    for folder, label in folders:
        for engine in args.engine or ENGINES:
            for line in bench_engine(engine, folder, label):
                print(line, flush=True)
    print(f"\nTotal {time.monotonic() - started:,.0f} s. Peak memory is the command's own "
          "process tree (GNU time): the PostgreSQL server and the Spark executors are not in it.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
