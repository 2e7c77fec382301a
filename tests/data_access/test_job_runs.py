"""Scheduled jobs run once per slot across runners: threads and processes at once, a runner killed mid-job, a
failing job retried (data_access.job_runs, on SQLite's lease and PostgreSQL's advisory lock)."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from data_access.errors import ConfigurationError
from data_access.job_runs import ALREADY_DONE, BUSY, FAILED, RAN, recent_runs, run_once, stale_minutes
from data_access.migrate import upgrade
from data_access.models import JobRun
from tests.source_tree import ROOT

SHORT_LEASE_MINUTES = "0.02"  # 1.2 s on SQLite, a heartbeat every 0.3 s


@pytest.fixture
def engine(empty_engine):
    upgrade(empty_engine)
    return empty_engine


def _row(engine, job, slot):
    with engine.connect() as connection:
        return connection.execute(select(JobRun.status, JobRun.attempts, JobRun.runner, JobRun.error)
                                  .where(JobRun.job == job, JobRun.slot == slot)).one_or_none()


def test_a_done_slot_is_never_run_again_and_the_next_slot_runs(engine):
    ran = []
    assert run_once(engine, "anchor", "2026-11-30T08", lambda: ran.append(1), runner="a").result == RAN
    assert run_once(engine, "anchor", "2026-11-30T08", lambda: ran.append(2), runner="b").result == ALREADY_DONE
    assert run_once(engine, "anchor", "2026-11-30T09", lambda: ran.append(3), runner="b").result == RAN
    assert ran == [1, 3]
    assert tuple(_row(engine, "anchor", "2026-11-30T08")) == ("done", 1, "a", None)
    runs = recent_runs(engine)
    assert runs[["job", "slot", "status"]].values.tolist() == [["anchor", "2026-11-30T09", "done"],
                                                               ["anchor", "2026-11-30T08", "done"]]


def test_a_failing_job_is_recorded_failed_with_its_error_and_retried_by_the_next_run(engine):
    def broken():
        raise RuntimeError("SMTP server refused")

    outcome = run_once(engine, "digest", "2026-11-30", broken, runner="a")
    assert (outcome.result, outcome.attempts, outcome.error) == (FAILED, 1, "RuntimeError: SMTP server refused")
    assert tuple(_row(engine, "digest", "2026-11-30")) == ("failed", 1, "a", "RuntimeError: SMTP server refused")
    ran = []
    outcome = run_once(engine, "digest", "2026-11-30", lambda: ran.append(1), runner="b")
    assert (outcome.result, outcome.attempts) == (RAN, 2)
    assert tuple(_row(engine, "digest", "2026-11-30")) == ("done", 2, "b", None)
    assert run_once(engine, "digest", "2026-11-30", lambda: ran.append(2), runner="c").result == ALREADY_DONE
    assert ran == [1]


def test_four_threads_at_once_run_each_slot_exactly_once(engine):
    ran: list[str] = []
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def runner(name):
        start.wait()
        for job in ("alerts", "anchor"):
            outcomes.append(run_once(engine, job, "2026-11-30T08",
                                     lambda job=job: (ran.append(job), time.sleep(0.3)), runner=name).result)

    threads = [threading.Thread(target=runner, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(ran) == ["alerts", "anchor"]
    assert outcomes.count(RAN) == 2 and len(outcomes) == 8
    assert set(outcomes) <= {RAN, BUSY, ALREADY_DONE}
    for job in ("alerts", "anchor"):
        assert _row(engine, job, "2026-11-30T08")[:2] == ("done", 1)


def _probe(engine, job, marks: Path, seconds: float) -> subprocess.Popen:
    url = engine.url.render_as_string(hide_password=False)
    return subprocess.Popen([sys.executable, "-m", "tests.data_access.job_probe", url, job, "2026-11-30", str(marks),
                             str(seconds)], cwd=ROOT, stdout=subprocess.PIPE, text=True, env=os.environ.copy())


@pytest.mark.usefixtures("db_backend")
@pytest.mark.parametrize("db_backend", ["postgresql"])
def test_two_processes_at_once_on_postgresql_run_the_slot_exactly_once(engine, tmp_path):
    marks = tmp_path / "marks"
    runners = [_probe(engine, "reminders", marks, 1.5) for _ in range(2)]
    results = sorted(runner.communicate(timeout=60)[0].strip() for runner in runners)
    assert results in ([BUSY, RAN], [ALREADY_DONE, RAN])
    assert len(marks.read_text().splitlines()) == 1
    assert _row(engine, "reminders", "2026-11-30")[:2] == ("done", 1)


def _wait_for(condition, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def test_a_runner_killed_mid_job_is_taken_over_by_the_next_run(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("PERFDASH_JOB_STALE_MINUTES", SHORT_LEASE_MINUTES)
    marks = tmp_path / "marks"
    victim = _probe(engine, "deliveries", marks, 60)
    _wait_for(lambda: marks.exists() and marks.read_text().strip())
    assert _row(engine, "deliveries", "2026-11-30").status == "running"
    time.sleep(2)  # longer than the SQLite lease: the victim's heartbeat (or its lock) still keeps the job its own
    with engine.connect() as connection:
        finished, heartbeat = connection.execute(select(JobRun.finished_at, JobRun.heartbeat_at)
                                                 .where(JobRun.job == "deliveries")).one()
    assert finished is None  # a running job has not finished; SQLite's lease beats in a column of its own
    if engine.dialect.name == "sqlite":
        assert dt.datetime.now(dt.UTC) - heartbeat.replace(tzinfo=dt.UTC) < dt.timedelta(seconds=1.2)
    else:
        assert heartbeat is None  # the advisory lock is the lease
    ran = []
    assert run_once(engine, "deliveries", "2026-11-30", lambda: ran.append(1), runner="next").result == BUSY
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    outcome = _wait_for(lambda: (o := run_once(engine, "deliveries", "2026-11-30", lambda: ran.append(1),
                                               runner="next")).result != BUSY and o)
    assert (outcome.result, outcome.attempts, ran) == (RAN, 2, [1])
    assert tuple(_row(engine, "deliveries", "2026-11-30")) == ("done", 2, "next", None)


@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_a_lease_that_is_not_a_positive_number_of_minutes_is_refused_in_both_languages(monkeypatch, value):
    monkeypatch.setenv("PERFDASH_JOB_STALE_MINUTES", value)
    with pytest.raises(ConfigurationError, match="PERFDASH_JOB_STALE_MINUTES must be a positive number") as error:
        stale_minutes()
    assert error.value.message_zh == "任务租约时长（PERFDASH_JOB_STALE_MINUTES）须为正数（分钟）"
