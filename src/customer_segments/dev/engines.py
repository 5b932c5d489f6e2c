"""Throwaway engines for tests and benchmarks: a PostgreSQL cluster and a Spark standalone
cluster on 127.0.0.1, started and stopped by the project itself.

    customer-segments engine postgres --dir target/engines/postgres   # prints its env, waits
    customer-segments engine spark --dir target/engines/spark

From Python, `postgres_cluster()` and `spark_cluster()` are context managers yielding the
environment variables the project's profiles read (`DBT_TARGET`, `PGPORT`, ...).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

LOOPBACK = "127.0.0.1"


class EngineUnavailable(RuntimeError):
    """The machine lacks what an engine needs; the message says what to install."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 1):
            return
        time.sleep(0.2)
    raise EngineUnavailable(f"{what} did not listen on {LOOPBACK}:{port} within {timeout:.0f} s")


# PostgreSQL -------------------------------------------------------------------------------

def postgres_bin_dir() -> Path:
    """The newest installed PostgreSQL server's bin folder (Debian's layout, else PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda path: int(Path(path).parts[-3]))
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise EngineUnavailable("PostgreSQL server binaries (initdb) not found: `make engines` "
                            "installs them (apt-get install postgresql).")


def _server_user() -> str | None:
    """initdb refuses root: as root, the cluster belongs to the unprivileged `postgres`."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as error:
        raise EngineUnavailable("running as root and no `postgres` user exists to own the "
                                "cluster (apt-get install postgresql creates it)") from error
    return "postgres"


def _as_server_user(command: list[str], user: str | None) -> list[str]:
    return command if user is None else ["runuser", "-u", user, "--", *command]


@contextlib.contextmanager
def postgres_cluster(workdir: Path | None = None) -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL cluster on a free loopback port, in UTC, stopped on exit."""
    bin_dir = postgres_bin_dir()
    user = _server_user()
    # The server user must be able to reach its data folder: a private temp folder.
    base = Path(tempfile.mkdtemp(prefix="customer_segments_pg_", dir=workdir))
    data_dir = base / "data"
    port = free_port()
    if user is not None:
        record = pwd.getpwnam(user)
        os.chown(base, record.pw_uid, record.pw_gid)
        base.chmod(0o755)
    log_file = base / "server.log"
    try:
        subprocess.run(_as_server_user(
            [str(bin_dir / "initdb"), "--username=postgres", "--auth=trust", "--encoding=UTF8",
             "--locale=C", "--no-sync", f"--pgdata={data_dir}"], user),
            check=True, capture_output=True, text=True)
        subprocess.run(_as_server_user(
            [str(bin_dir / "pg_ctl"), "start", "--wait", f"--pgdata={data_dir}",
             f"--log={log_file}", "--options",
             f"-p {port} -k {base} -c listen_addresses={LOOPBACK} -c timezone=UTC"
             " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
             " -c max_connections=50"], user),
            check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as error:
        shutil.rmtree(base, ignore_errors=True)
        raise EngineUnavailable(f"PostgreSQL did not start: {error.stderr or error.stdout}"
                                ) from error
    env = {"DBT_TARGET": "postgres", "PGHOST": LOOPBACK, "PGPORT": str(port),
           "PGUSER": "postgres", "PGPASSWORD": "", "PGDATABASE": "postgres", "PGTZ": "UTC"}
    try:
        yield env
    finally:
        subprocess.run(_as_server_user(
            [str(bin_dir / "pg_ctl"), "stop", "--mode=immediate", f"--pgdata={data_dir}"], user),
            capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


# Command line -----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="customer-segments engine",
        description="Start a throwaway engine, print the environment the project's profiles "
                    "read, and keep it running until interrupted (Ctrl-C stops and removes it).")
    parser.add_argument("engine", choices=["postgres", "spark"])
    args = parser.parse_args(argv)
    starter = postgres_cluster if args.engine == "postgres" else _spark_cluster()
    try:
        with starter() as env:
            for name, value in env.items():
                print(f"export {name}={value}")
            sys.stdout.flush()
            signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except EngineUnavailable as error:
        print(f"customer-segments engine: {error}", file=sys.stderr)
        return 1
    return 0


def _spark_cluster():  # type: ignore[no-untyped-def]
    return spark_cluster  # defined below once Spark is supported


def spark_cluster():  # type: ignore[no-untyped-def]
    raise EngineUnavailable("Spark is not supported yet")
