"""The project's two DuckDB files and what to say when one of them is locked.

The work file (`customer_segments.duckdb`, env CUSTOMER_SEGMENTS_DUCKDB_PATH) is what dbt
builds; only dbt and the project's own commands open it. The publication
(`publication/customer_segments.duckdb`, env CUSTOMER_SEGMENTS_PUBLICATION_PATH) is what
readers open: `customer-segments publish` replaces it whole after a build passed.

DuckDB allows one writer or many readers per file. When a command meets a lock it prints
one line naming the process that holds it and what to do (`LockedDatabase`), not a
traceback.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from customer_segments.ops.dbt_invoke import DATABASE_ENV

PUBLICATION_ENV = "CUSTOMER_SEGMENTS_PUBLICATION_PATH"

# DuckDB: Could not set lock on file "<path>": Conflicting lock is held in <program> (PID <n>)
_LOCK_MESSAGE = re.compile(
    r'Could not set lock on file "(?P<path>[^"]+)": Conflicting lock is held in '
    r"(?P<program>.*?) \(PID (?P<pid>\d+)\)")


# As profiles.yml resolves them: relative to the directory dbt runs in.
def work_database() -> Path:
    return Path(os.environ.get(DATABASE_ENV) or "customer_segments.duckdb")


def publication_path() -> Path:
    return Path(os.environ.get(PUBLICATION_ENV) or "publication/customer_segments.duckdb")


class LockedDatabase(Exception):
    """A DuckDB file another process holds; str() is the one line to print."""


def _command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    words = [word.decode(errors="replace") for word in raw.split(b"\0") if word]
    # `python .../bin/dbt build ...` reads better as `dbt build ...`.
    if len(words) > 1 and Path(words[0]).name.startswith("python") \
            and not words[1].startswith("-"):
        words = words[1:]
    if words:
        words[0] = Path(words[0]).name
    return " ".join(words)[:120]


def lock_holder(message: str) -> str | None:
    """'PID 123 (dbt build ...)' when `message` is DuckDB's lock conflict, else None."""
    match = _LOCK_MESSAGE.search(message)
    if match is None:
        return None
    pid = int(match["pid"])
    command = _command_line(pid) or Path(match["program"]).name
    return f"PID {pid} ({command})"


def explain_lock(message: str, database: Path, advice: str) -> str | None:
    """The one line for a lock conflict on `database`, or None for any other error."""
    holder = lock_holder(message)
    if holder is None:
        return None
    return f"{database} is locked by {holder}: {advice}"


READER_ADVICE = ("it is being written; read the publication instead "
                 "(customer-segments publish writes it after every passing build), "
                 "or wait for the writer to finish")
WRITER_ADVICE = ("a reader or another build has it open; point readers at the publication "
                 "(publication/customer_segments.duckdb), close them, or wait, then run again")


@contextlib.contextmanager
def lock_explained(database: Path) -> Iterator[None]:
    """Around opening `database` to read: DuckDB's lock conflict becomes LockedDatabase
    with one line; any other error passes through."""
    try:
        yield
    except duckdb.IOException as error:
        line = explain_lock(str(error), database, READER_ADVICE)
        if line is None:
            raise
        raise LockedDatabase(line) from None


@contextlib.contextmanager
def read_only(database: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection; a lock conflict raises LockedDatabase with one line."""
    if not database.exists():
        raise FileNotFoundError(f"{database} does not exist: run `make build` first.")
    with lock_explained(database):
        connection = duckdb.connect(str(database), read_only=True)
    try:
        yield connection
    finally:
        connection.close()
