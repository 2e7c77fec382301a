"""The schedule: which jobs are due when, the real jobs run once per slot, ``python -m services.jobs``."""
from __future__ import annotations

import datetime as dt

from data_access.job_runs import ALREADY_DONE, FAILED, RAN, recent_runs
from scoring.checkin import CHINA_TIME
from services import jobs

EARLY = dt.datetime(2026, 11, 20, 6, 30, tzinfo=CHINA_TIME)
MORNING = dt.datetime(2026, 11, 20, 8, 10, tzinfo=CHINA_TIME)


def test_hourly_jobs_have_an_hour_slot_and_daily_jobs_a_day_slot_from_their_hour_on():
    slots = {job.name: (job.slot(EARLY), job.slot(MORNING)) for job in jobs.SCHEDULE}
    assert slots == {
        "alerts-run": ("2026-11-20T06", "2026-11-20T08"),
        "audit-anchor": ("2026-11-20T06", "2026-11-20T08"),
        "alerts-digest": (None, "2026-11-20"),
        "reminders": (None, "2026-11-20"),
        "report-deliveries": (None, "2026-11-20"),
        "risk-train": ("2026-11", "2026-11"),
    }


def test_run_due_runs_every_real_job_once_per_slot(seeded_engine):
    first = jobs.run_due(seeded_engine, moment=MORNING, runner="replica-1")
    assert [(o.job, o.slot, o.result, o.error) for o in first] == [
        ("alerts-run", "2026-11-20T08", RAN, None),
        ("audit-anchor", "2026-11-20T08", RAN, None),
        ("alerts-digest", "2026-11-20", RAN, None),
        ("reminders", "2026-11-20", RAN, None),
        ("report-deliveries", "2026-11-20", RAN, None),
        ("risk-train", "2026-11", RAN, None),
    ]
    again = jobs.run_due(seeded_engine, moment=MORNING + dt.timedelta(minutes=5), runner="replica-2")
    assert {o.result for o in again} == {ALREADY_DONE}
    next_hour = jobs.run_due(seeded_engine, moment=MORNING + dt.timedelta(hours=1), runner="replica-2")
    assert [(o.job, o.result) for o in next_hour if o.result == RAN] == [("alerts-run", RAN), ("audit-anchor", RAN)]
    runs = recent_runs(seeded_engine)
    assert len(runs) == 8 and set(runs["status"]) == {"done"}


def test_the_command_prints_each_outcome_and_says_so_in_its_exit_status_when_a_job_failed(
        seeded_engine, monkeypatch, capsys):
    monkeypatch.setenv("PERFDASH_DATABASE_URL", seeded_engine.url.render_as_string(hide_password=False))

    def broken(_engine, _moment):
        raise RuntimeError("report server down")

    monkeypatch.setattr(jobs, "SCHEDULE", (jobs.Job("report-deliveries", jobs.DAILY, broken, from_hour=7),))
    assert jobs.main(["run-due", "--as-of", "2026-11-20T08:10"]) == 1
    assert capsys.readouterr().out == ("perfdash: report-deliveries 2026-11-20 failed (attempt 1): "
                                       "RuntimeError: report server down\n")
    assert jobs.main(["status"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split()[:3] == ["job", "slot", "status"]
    assert printed[1].split()[:3] == ["report-deliveries", "2026-11-20", FAILED]
