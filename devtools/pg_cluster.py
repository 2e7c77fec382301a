"""A throwaway PostgreSQL cluster on a free loopback port, for tests and benchmarks.

Uses the installed server binaries (initdb, pg_ctl). PostgreSQL refuses to run as root, so as root the
cluster is created and started as the ``postgres`` system user. Everything lives in a temporary
directory that is removed on exit.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine (or they failed to start)."""


def find_binaries() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or None."""
    candidates = [shutil.which("initdb")]
    candidates += sorted(str(p / "bin" / "initdb") for p in Path("/usr/lib/postgresql").glob("*"))
    for candidate in candidates:
        if candidate and Path(candidate).exists() and (Path(candidate).parent / "pg_ctl").exists():
            return Path(candidate).resolve().parent
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as_server_user(command: list[str], as_postgres: bool) -> None:
    if as_postgres:
        command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(_quote(c) for c in command)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PostgresUnavailable(f"{' '.join(command)} failed: {result.stderr.strip() or result.stdout.strip()}")


def _quote(part: str) -> str:
    return "'" + part.replace("'", "'\\''") + "'"


@contextmanager
def throwaway_cluster(database: str = "perfdash_test", settings: Mapping[str, str] | None = None,
                      keep: Path | None = None, parent: Path | None = None) -> Iterator[str]:
    """Start a cluster, create ``database``, yield its SQLAlchemy URL, stop and delete it afterwards.

    ``settings``: extra server settings (name → value), e.g. for a bulk load. ``keep``: a directory for the
    cluster that is kept afterwards, and reused (database and all) when it already holds one. ``parent``: where
    the temporary directory of a cluster that is not kept goes (default the system's temporary directory), e.g.
    a memory file system for a test suite's hundreds of short-lived databases."""
    bindir = find_binaries()
    if bindir is None:
        raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    as_postgres = os.geteuid() == 0
    workdir = keep.resolve() if keep else Path(tempfile.mkdtemp(prefix="perfdash-pg-", dir=parent))
    workdir.mkdir(parents=True, exist_ok=True)
    reuse = (workdir / "data" / "PG_VERSION").exists()
    if as_postgres:
        shutil.chown(workdir, "postgres", "postgres")
    datadir, port = workdir / "data", _free_port()
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    options += "".join(f" -c {name}={value}" for name, value in (settings or {}).items())
    try:
        if not reuse:
            _run_as_server_user(
                [str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "-A", "trust", "--no-sync", "-E",
                 "UTF8", "--locale=C"],
                as_postgres,
            )
        _run_as_server_user(
            [str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(workdir / "log"), "-w", "-o", options, "start"],
            as_postgres,
        )
        try:
            if not reuse:
                _run_as_server_user(
                    [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database],
                    False,
                )
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"
        finally:
            # a cluster about to be deleted needs no shutdown checkpoint: "immediate" skips writing every dirty page
            mode = "fast" if keep else "immediate"
            _run_as_server_user([str(bindir / "pg_ctl"), "-D", str(datadir), "-m", mode, "-w", "stop"], as_postgres)
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":  # manual use: keep a cluster up until Enter is pressed
    with throwaway_cluster() as url:
        print(url, flush=True)
        input("PostgreSQL is running; press Enter to stop it. ")
