"""Replay segment history from the orders already in the data.

Builds the segments as of every period end (day, week or month) between two dates, in
order, recording each in the history snapshot, then runs a full `dbt build` as of the end
date. History is written forward only, so period ends before the newest date already
recorded are skipped: running the same backfill twice changes nothing.

    customer-segments backfill --start 2023-01-31 --end 2025-12-31
    customer-segments backfill --start 2025-01-01 --end 2025-03-31 --period week \
        --vars '{raw_data_path: /data/exports}'

To rebuild history from scratch, first `dbt run-operation reset_segment_history`.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from customer_segments.ops.database_files import (
    WRITER_ADVICE,
    LockedDatabase,
    explain_lock,
    publication_path,
    read_only,
    work_database,
)
from customer_segments.ops.dbt_invoke import default_target_path, invoke
from customer_segments.ops.publish import PublishRefused, publish

PERIODS = ("day", "week", "month")


def period_ends(start: dt.date, end: dt.date, period: str) -> list[dt.date]:
    """Every period end in [start, end]: each day, each Sunday, or each month's last day."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    ends = []
    if period == "month":
        year, month = start.year, start.month
        while True:
            last = dt.date(year, month, calendar.monthrange(year, month)[1])
            if last > end:
                break
            if last >= start:
                ends.append(last)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return ends
    step = dt.timedelta(days=1)
    day = start
    while day <= end:
        if period == "day" or day.isoweekday() == 7:
            ends.append(day)
        day += step
    return ends


def newest_recorded_as_of(database: Path) -> dt.date | None:
    """The newest as-of date in the history snapshot of a DuckDB file, if any."""
    if not database.exists():
        return None
    with read_only(database) as connection:
        exists = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'history' and table_name = 'customer_segment_snapshot'"
        ).fetchall()[0][0]
        if not exists:
            return None
        newest = connection.execute(
            "select max(dbt_updated_at) from history.customer_segment_snapshot"
        ).fetchall()[0][0]
    return newest.date() if newest is not None else None


def backfill(start: dt.date, end: dt.date, period: str = "month",
             variables: dict[str, Any] | None = None, database: Path | None = None,
             target_path: Path | None = None, log=print,
             publish_to: Path | None = None) -> bool:
    """Record history as of every period end, then build everything as of `end` (and
    publish that build to `publish_to`, if given)."""
    variables = dict(variables or {})
    database_file = database or work_database()
    newest = newest_recorded_as_of(database_file)
    rows = []
    for as_of in [*period_ends(start, end, period), None]:
        label = str(as_of or end)
        if as_of is not None and newest is not None and as_of < newest:
            rows.append((label, "skipped: already recorded", 0.0))
            continue
        began = time.monotonic()
        if as_of is None:
            # Last: everything, tests included, as of the end date.
            if newest is not None and end < newest:
                rows.append((label, "skipped: already recorded", 0.0))
                break
            args = ["build"]
            run_variables = {**variables, "as_of_date": label}
        else:
            args = ["build", "--selector", "backfill"]
            # History needs the segments, not CLV validation; early period ends may have
            # too little data to fit the CLV model at all.
            run_variables = {**variables, "as_of_date": label, "clv_holdout_days": 0,
                             "clv_on_insufficient_data": "warn"}
        result = invoke(args, run_variables, database=database, target_path=target_path)
        if result.success and as_of is None and publish_to is not None:
            publish(database_file, publish_to, target_path or default_target_path())
        rows.append((label, "recorded" if result.success else "FAILED", time.monotonic() - began))
        if not result.success:
            log(explain_lock(result.messages, database_file, WRITER_ADVICE) or result.messages)
            break
    log("| as of | outcome | seconds |\n|---|---|---|")
    for label, outcome, seconds in rows:
        log(f"| {label} | {outcome} | {seconds:.1f} |")
    return all(outcome != "FAILED" for _, outcome, _ in rows)


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--end", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--period", choices=PERIODS, default="month")
    parser.add_argument("--vars", default="{}", help="extra dbt vars, as YAML")
    parser.add_argument("--no-publish", action="store_true",
                        help="leave the publication as it was (default: publish the final build)")
    args = parser.parse_args(argv)
    try:
        publish_to = None if args.no_publish else publication_path()
        if not backfill(args.start, args.end, args.period, yaml.safe_load(args.vars),
                        publish_to=publish_to):
            return 1
    except (ValueError, LockedDatabase) as error:
        print(f"backfill: {error}", file=sys.stderr)
        return 2
    except PublishRefused as error:
        print(f"publish: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
