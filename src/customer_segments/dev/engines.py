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


# Spark ------------------------------------------------------------------------------------

def spark_home() -> Path:
    """pyspark's own distribution (bin/spark-class, jars): no separate Spark install."""
    try:
        import pyspark
    except ImportError as error:
        raise EngineUnavailable("pyspark is not installed: `make install`") from error
    return Path(pyspark.__file__).parent


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise EngineUnavailable("java not found: `make engines` installs a JRE "
                                "(apt-get install openjdk-17-jre-headless)")
    return java


def _start_daemon(command: list[str], log_file: Path, env: dict[str, str]) -> subprocess.Popen:
    log = open(log_file, "w")  # noqa: SIM115 - the daemon writes it until stopped
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)


@contextlib.contextmanager
def spark_cluster(workdir: Path | None = None, workers: int = 2,
                  worker_memory: str = "2g") -> Iterator[dict[str, str]]:
    """A Spark standalone master and `workers` one-core workers on 127.0.0.1, stopped on
    exit; yields the environment of the profile's `spark` target (session method: the dbt
    process is the driver, its executors run on the workers)."""
    home = spark_home()
    _java()
    base = Path(tempfile.mkdtemp(prefix="customer_segments_spark_", dir=workdir))
    master_port, master_ui = free_port(), free_port()
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": LOOPBACK,
           "SPARK_LOG_DIR": str(base), "SPARK_WORKER_DIR": str(base / "work")}
    spark_class = str(home / "bin" / "spark-class")
    master_url = f"spark://{LOOPBACK}:{master_port}"
    daemons = [_start_daemon(
        [spark_class, "org.apache.spark.deploy.master.Master", "--host", LOOPBACK,
         "--port", str(master_port), "--webui-port", str(master_ui)],
        base / "master.log", env)]
    try:
        wait_for_port(master_port, 60, "the Spark master")
        for number in range(workers):
            daemons.append(_start_daemon(
                [spark_class, "org.apache.spark.deploy.worker.Worker", master_url,
                 "--host", LOOPBACK, "--cores", "1", "--memory", worker_memory,
                 "--webui-port", str(free_port()), "--work-dir", str(base / f"worker{number}")],
                base / f"worker{number}.log", env))
        _wait_for_workers(master_ui, workers, 60)
        yield {
            "DBT_TARGET": "spark",
            "SPARK_MASTER_URL": master_url,
            "SPARK_WAREHOUSE_DIR": str(base / "warehouse"),
            "SPARK_METASTORE_DIR": str(base / "metastore"),
            "SPARK_LOCAL_IP": LOOPBACK,
        }
    finally:
        for daemon in reversed(daemons):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(daemon.pid, signal.SIGTERM)
        for daemon in daemons:
            try:
                daemon.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
        shutil.rmtree(base, ignore_errors=True)


def _wait_for_workers(master_ui: int, workers: int, timeout: float) -> None:
    import json
    import urllib.request

    deadline = time.monotonic() + timeout
    alive = 0
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            with urllib.request.urlopen(f"http://{LOOPBACK}:{master_ui}/json/", timeout=2) as page:
                state = json.load(page)
            alive = sum(1 for worker in state.get("workers", []) if worker["state"] == "ALIVE")
            if alive >= workers:
                return
        time.sleep(0.5)
    raise EngineUnavailable(f"{alive} of {workers} Spark workers registered in {timeout:.0f} s")


# Command line -----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="customer-segments engine",
        description="Start a throwaway engine, print the environment the project's profiles "
                    "read, and keep it running until interrupted (Ctrl-C stops and removes it).")
    parser.add_argument("engine", choices=["postgres", "spark"])
    args = parser.parse_args(argv)
    starter = postgres_cluster if args.engine == "postgres" else spark_cluster
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    # Blocked, so they wake sigwait below and the engine is stopped and removed.
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        with starter() as env:
            for name, value in env.items():
                print(f"export {name}={value}")
            sys.stdout.flush()
            signal.sigwait(stop_signals)
    except EngineUnavailable as error:
        print(f"customer-segments engine: {error}", file=sys.stderr)
        return 1
    return 0
