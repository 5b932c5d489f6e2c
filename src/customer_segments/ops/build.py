"""`dbt build` on any engine, the CLV fit included.

    customer-segments build [--target postgres] [-- any dbt build options, e.g. --vars ...]

Where dbt runs Python models (DuckDB), this is `dbt build`, then `customer-segments
publish` (the file readers open; --no-publish skips it). Elsewhere the CLV fit runs in
Python between two dbt selections (selectors.yml): `dbt build --selector clv_fit_inputs`,
`customer-segments fit-clv`, `dbt build --selector after_clv_fit`. An orchestrator runs the
same three steps.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from customer_segments.ops.database_files import (
    WRITER_ADVICE,
    explain_lock,
    publication_path,
)
from customer_segments.ops.dbt_invoke import DbtResult, default_target_path, invoke
from customer_segments.ops.fit_clv import fit_clv, read_manifest
from customer_segments.ops.publish import publish_and_report
from customer_segments.ops.warehouse import connected, profile_credentials

# Adapters whose dbt runs this project's Python models (dbt_project.yml: fitted_in_dbt).
PYTHON_MODEL_ENGINES = {"duckdb"}


def runs_python_models(target: str | None) -> bool:
    return bool(profile_credentials(target).type in PYTHON_MODEL_ENGINES)


def build(target: str | None = None, dbt_args: list[str] | None = None,
          target_path: Path | None = None) -> DbtResult:
    """Build everything; stops at the first failed step and says which."""
    options = [*(["--target", target] if target else []), *(dbt_args or [])]
    if runs_python_models(target):
        return invoke(["build", *options], target_path=target_path)
    first = invoke(["build", "--selector", "clv_fit_inputs", *options], target_path=target_path)
    if not first.success:
        return DbtResult(False, f"dbt build --selector clv_fit_inputs failed:\n{first.messages}")
    manifest = read_manifest((target_path or default_target_path()) / "manifest.json")
    with connected(target) as warehouse:
        fit_clv(warehouse, manifest)
    second = invoke(["build", "--selector", "after_clv_fit", *options], target_path=target_path)
    if not second.success:
        return DbtResult(False, f"dbt build --selector after_clv_fit failed:\n{second.messages}")
    return second


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", help="the profile target (default: DBT_TARGET, else dev)")
    parser.add_argument("--target-path", type=Path,
                        help="dbt's target folder (and logs in it; default ./target)")
    parser.add_argument("--publication", type=Path, default=None,
                        help="DuckDB: where to publish (default: "
                             "CUSTOMER_SEGMENTS_PUBLICATION_PATH, else "
                             "publication/customer_segments.duckdb)")
    parser.add_argument("--no-publish", action="store_true",
                        help="DuckDB: build only; readers keep the previous publication")
    parser.add_argument("dbt_args", nargs=argparse.REMAINDER,
                        help="options passed to every dbt build (after --)")
    args = parser.parse_args(argv)
    dbt_args = args.dbt_args[1:] if args.dbt_args[:1] == ["--"] else args.dbt_args
    credentials = profile_credentials(args.target)
    result = build(args.target, dbt_args, args.target_path)
    if not result.success:
        database = Path(getattr(credentials, "path", "") or ".")
        lock = explain_lock(result.messages, database, WRITER_ADVICE)
        print(f"build: {lock}" if lock else result.messages, file=sys.stderr)
        return 1
    if credentials.type != "duckdb" or args.no_publish:
        return 0
    return publish_and_report(Path(credentials.path), args.publication or publication_path(),
                              args.target_path or default_target_path())


if __name__ == "__main__":
    raise SystemExit(main())
