"""`customer-segments`: one command for the project's Python tools.

    customer-segments <command> [options]      # customer-segments <command> --help

Each command is a module's `main(argv)`; modules are imported only when their command
runs, so `customer-segments --help` starts in milliseconds.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    module: str
    help: str


# What a user of a built project runs.
OPERATIONS = {
    "backfill": Command("customer_segments.ops.backfill",
                        "replay segment history as of every period end"),
    "publish": Command("customer_segments.ops.publish",
                       "publish a passing build's public tables to the file readers open"),
    "export-segment": Command("customer_segments.ops.export_segment",
                              "write one segment's members to CSV, for a campaign tool"),
    "validate": Command("customer_segments.ops.validate_marts",
                        "Great Expectations checks on the published marts"),
    "build": Command("customer_segments.ops.build",
                     "dbt build on any engine, the CLV fit included"),
    "fit-clv": Command("customer_segments.ops.fit_clv",
                       "fit CLV outside dbt (PostgreSQL, Spark) and land it for dbt"),
    "load-raw": Command("customer_segments.ops.load_raw",
                        "copy a raw folder into the raw schema of any target"),
}
# Sample data, benchmarks and checks, for developers of the project.
DEVELOPER_TOOLS = {
    "generate-sample": Command("customer_segments.dev.generate_sample",
                               "write the bundled sample's raw data, or any size of it"),
    "increment": Command("customer_segments.dev.increment",
                         "append a daily load to a generated typed-Parquet folder"),
    "bench": Command("customer_segments.dev.bench",
                     "time a full and an incremental build at a size"),
    "bench-engines": Command("customer_segments.dev.bench_engines",
                             "time load and build on DuckDB, PostgreSQL and Spark"),
    "bench-clv": Command("customer_segments.dev.bench_clv_fit",
                         "time the BG/NBD fit against the lifetimes package"),
    "check-project": Command("customer_segments.dev.check_project",
                             "check the project's own conventions"),
    "engine": Command("customer_segments.dev.engines",
                      "start a throwaway PostgreSQL or Spark cluster on 127.0.0.1"),
}
COMMANDS = {**OPERATIONS, **DEVELOPER_TOOLS}


def _listing(title: str, commands: dict[str, Command]) -> str:
    width = max(len(name) for name in COMMANDS) + 2
    return "\n".join([f"{title}:", *(f"  {name:<{width}}{command.help}"
                                      for name, command in commands.items())])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="customer-segments",
        description="The customer_segments project's Python commands. Options after the\n"
                    "command are the command's own: customer-segments <command> --help.",
        epilog=f"{_listing('operations', OPERATIONS)}\n\n"
               f"{_listing('developer tools', DEVELOPER_TOOLS)}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="command", required=True,
                                     help="one of the commands below")
    for name in COMMANDS:
        # The command's own parser handles its options (and its --help).
        commands.add_parser(name, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    command = COMMANDS[args.command]
    try:
        module = importlib.import_module(command.module)
    except ModuleNotFoundError as error:
        if error.name != command.module:
            raise
        parser.error(f"{args.command}: {command.module} is not installed in this checkout")
    # Commands whose main takes `prog` show `customer-segments <command>` in their usage.
    if "prog" in inspect.signature(module.main).parameters:
        return int(module.main(rest, prog=f"{parser.prog} {args.command}") or 0)
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
