"""Run a scheduled job once per schedule slot, however many replicas' cron jobs ask at the same time.

Every replica runs ``python -m services.jobs run-due`` from cron; :func:`run_once` makes sure a (job, slot) runs
once in the ``job_runs`` table: a slot that is ``done`` is never run again, a ``failed`` one is retried by the
next runner (``attempts`` + 1), and one left ``running`` by a runner that died is taken over.

Who may work a job right now:

- PostgreSQL: the runner holds ``pg_try_advisory_lock`` on the job on its own connection for as long as it
  works. A runner that dies loses its connection and with it the lock, so a ``running`` row found while holding
  the lock belongs to a dead runner and is taken over at once.
- SQLite (one host): the claim is one ``BEGIN IMMEDIATE`` transaction (SQLite's write lock), and the runner
  keeps a lease: while it works a heartbeat thread writes the time into ``heartbeat_at`` of its ``running`` row;
  another runner takes the job over only when the heartbeat is older than ``PERFDASH_JOB_STALE_MINUTES``.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, text, update

from data_access.errors import ConfigurationError
from data_access.models import JobRun

log = logging.getLogger("perfdash.jobs")

LOCK_NAMESPACE = 0x50444A  # "PDJ": the first key of every job's advisory lock, apart from other users' locks
DEFAULT_STALE_MINUTES = 10.0
ERROR_CHARS = 2000

# What run_once did with a (job, slot).
RAN = "ran"  # this runner ran it to the end
FAILED = "failed"  # this runner ran it and it raised; recorded, the next runner retries
ALREADY_DONE = "already done"  # a runner finished it before
BUSY = "busy"  # another live runner is working this job now


@dataclass(frozen=True)
class Outcome:
    job: str
    slot: str
    result: str
    attempts: int = 0
    error: str | None = None


def stale_minutes() -> float:
    """``PERFDASH_JOB_STALE_MINUTES`` (default 10): on SQLite, a running job whose heartbeat is older is taken over."""
    raw = os.environ.get("PERFDASH_JOB_STALE_MINUTES", "").strip()
    try:
        minutes = float(raw) if raw else DEFAULT_STALE_MINUTES
    except ValueError:
        minutes = 0.0
    if minutes <= 0:
        raise ConfigurationError(f"PERFDASH_JOB_STALE_MINUTES must be a positive number of minutes, got {raw!r}",
                                 message_zh="任务租约时长（PERFDASH_JOB_STALE_MINUTES）须为正数（分钟）")
    return minutes


def runner_name() -> str:
    """This process as the ``runner`` column names it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite returns naive UTC


def _lock_key(job: str) -> int:
    return zlib.crc32(job.encode()) - 2**31  # PostgreSQL's advisory lock keys are signed 32-bit integers


@contextmanager
def _postgres_job_lock(engine: Engine, job: str) -> Iterator[bool]:
    """Hold the job's advisory lock on a dedicated autocommit connection (no transaction stays open meanwhile)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        key = {"space": LOCK_NAMESPACE, "job": _lock_key(job)}
        held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:space, :job)"), key).scalar_one())
        try:
            yield held
        finally:
            if held:  # the pooled connection outlives us: release, or the next user of it would hold the lock
                connection.execute(text("SELECT pg_advisory_unlock(:space, :job)"), key)


def _claim(connection: Connection, job: str, slot: str, runner: str, now: dt.datetime,
           lease: dt.timedelta | None) -> tuple[str | None, int]:
    """Inside the caller's write transaction: take (job, slot) for ``runner``, or say why not.

    Returns (None, attempts) when taken, else (ALREADY_DONE or BUSY, attempts so far). ``lease`` (SQLite) makes
    a ``running`` row with a fresh heartbeat anyone's but ours; without it (PostgreSQL, lock held) every
    ``running`` row is a dead runner's.
    """
    if lease is not None:
        live = connection.execute(
            select(JobRun.slot, JobRun.heartbeat_at).where(JobRun.job == job, JobRun.status == "running")).all()
        if any(heartbeat is not None and _aware(heartbeat) > now - lease for _slot, heartbeat in live):
            return BUSY, 0
    row = connection.execute(select(JobRun.id, JobRun.status, JobRun.attempts)
                             .where(JobRun.job == job, JobRun.slot == slot)).one_or_none()
    if row is None:
        connection.execute(insert(JobRun).values(job=job, slot=slot, status="running", runner=runner,
                                                 started_at=now, heartbeat_at=now if lease else None, attempts=1))
        return None, 1
    if row.status == "done":
        return ALREADY_DONE, row.attempts
    connection.execute(update(JobRun).where(JobRun.id == row.id).values(
        status="running", runner=runner, started_at=now, finished_at=None, heartbeat_at=now if lease else None,
        error=None,
        attempts=JobRun.attempts + 1))
    return None, row.attempts + 1


def _finish(engine: Engine, job: str, slot: str, runner: str, error: str | None) -> None:
    with engine.execution_options(write=True).begin() as connection:
        connection.execute(update(JobRun).where(JobRun.job == job, JobRun.slot == slot, JobRun.runner == runner)
                           .values(status="failed" if error else "done", finished_at=_utcnow(), error=error))


@contextmanager
def _heartbeat(engine: Engine, job: str, slot: str, runner: str, every: float) -> Iterator[None]:
    """SQLite: keep the lease fresh while the job runs (a thread writes the time every ``every`` seconds)."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                with engine.execution_options(write=True).begin() as connection:
                    connection.execute(update(JobRun).where(JobRun.job == job, JobRun.slot == slot,
                                                            JobRun.runner == runner, JobRun.status == "running")
                                       .values(heartbeat_at=_utcnow()))
            except Exception:  # a missed beat only shortens the lease; the job itself goes on
                log.exception("job %s %s: heartbeat failed", job, slot)

    thread = threading.Thread(target=beat, name=f"heartbeat-{job}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def run_once(engine: Engine, job: str, slot: str, work: Callable[[], object], *, runner: str | None = None
             ) -> Outcome:
    """Run ``work`` for (job, slot) unless it is done or another live runner is working the job.

    ``work`` writes in its own transactions; an exception from it is recorded (``failed``, its text in ``error``)
    and not raised: the next runner retries.
    """
    runner = runner or runner_name()
    now = _utcnow()
    if engine.dialect.name == "postgresql":
        with _postgres_job_lock(engine, job) as held:
            if not held:
                return Outcome(job, slot, BUSY)
            return _claim_and_run(engine, job, slot, work, runner, now, lease=None)
    return _claim_and_run(engine, job, slot, work, runner, now, lease=dt.timedelta(minutes=stale_minutes()))


def _claim_and_run(engine: Engine, job: str, slot: str, work: Callable[[], object], runner: str,
                   now: dt.datetime, lease: dt.timedelta | None) -> Outcome:
    with engine.execution_options(write=True).begin() as connection:
        refused, attempts = _claim(connection, job, slot, runner, now, lease)
    if refused:
        return Outcome(job, slot, refused, attempts)
    beating = _heartbeat(engine, job, slot, runner, lease.total_seconds() / 4) if lease else _no_heartbeat()
    try:
        with beating:
            work()
    except Exception as exc:  # any failure of a job is recorded for the next run to retry, never lost
        error = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
        log.exception("job %s %s failed (attempt %d)", job, slot, attempts)
        _finish(engine, job, slot, runner, error)
        return Outcome(job, slot, FAILED, attempts, error)
    _finish(engine, job, slot, runner, None)
    return Outcome(job, slot, RAN, attempts)


@contextmanager
def _no_heartbeat() -> Iterator[None]:
    yield


def recent_runs(engine: Engine, limit: int = 30) -> pd.DataFrame:
    """The newest job runs first: job, slot, status, runner, started_at, finished_at, heartbeat_at, attempts,
    error."""
    columns = [JobRun.job, JobRun.slot, JobRun.status, JobRun.runner, JobRun.started_at, JobRun.finished_at,
               JobRun.heartbeat_at, JobRun.attempts, JobRun.error]
    with engine.connect() as connection:
        rows = connection.execute(select(*columns).order_by(JobRun.started_at.desc(), JobRun.id.desc())
                                  .limit(limit)).all()
    return pd.DataFrame(rows, columns=[column.key for column in columns])
