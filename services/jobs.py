"""The scheduled jobs in one table, run once per slot across every replica (data_access.job_runs).

Every replica's cron (or systemd timer) runs, every 5 minutes::

    python -m services.jobs run-due [--as-of 2026-11-30T08:00]   # run whatever is due and not done yet
    python -m services.jobs status [--limit 30]                  # the recent runs, newest first

Hourly jobs have one slot per hour, daily ones one per day from their hour on, monthly ones one per month from
their hour of the first day on (China time, the reporting calendar's clock). A slot is done once; a failed one
is retried by the next run-due, wherever it runs; a runner that dies mid-job is taken over. Exit status: 0
nothing failed, 1 a job failed (recorded, retried next time), 2 the database cannot be used.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Engine

from data_access import DataAccessError, create_database_engine
from data_access.audit import anchor_head
from data_access.job_runs import FAILED, Outcome, recent_runs, run_once
from data_access.policy import SYSTEM
from scoring.checkin import CHINA_TIME
from services import alerts, notify, reminders, risk
from services.report_center.delivery import deliver

HOURLY, DAILY, MONTHLY = "hour", "day", "month"


@dataclass(frozen=True)
class Job:
    """One scheduled job: its name in ``job_runs``, how often, and what it does at a moment (China time)."""

    name: str
    every: str  # HOURLY, DAILY or MONTHLY
    run: Callable[[Engine, dt.datetime], object]
    from_hour: int = 0  # daily and monthly jobs: due from this hour of the (first) day on

    def slot(self, moment: dt.datetime) -> str | None:
        """The slot ``moment`` falls in (``2026-11-30T08`` hourly, ``2026-11-30`` daily, ``2026-11`` monthly),
        None if not due yet."""
        if self.every == HOURLY:
            return f"{moment:%Y-%m-%dT%H}"
        if self.every == MONTHLY:
            return f"{moment:%Y-%m}" if moment.day > 1 or moment.hour >= self.from_hour else None
        return moment.date().isoformat() if moment.hour >= self.from_hour else None


def _alerts_run(engine: Engine, moment: dt.datetime) -> None:
    alerts.scheduled_run(engine, as_of=moment.date(), settings=notify.SmtpSettings.from_environment())


def _alerts_digest(engine: Engine, _moment: dt.datetime) -> None:
    notify.send_digest(engine, notify.SmtpSettings.from_environment())


def _reminders(engine: Engine, moment: dt.datetime) -> None:
    reminders.run(engine, as_of=moment.date(), now=moment.astimezone(dt.UTC),
                  settings=notify.SmtpSettings.from_environment())


def _report_deliveries(engine: Engine, moment: dt.datetime) -> None:
    deliver(engine, notify.SmtpSettings.from_environment(), as_of=moment.date())


def _audit_anchor(engine: Engine, _moment: dt.datetime) -> None:
    anchor_head(engine)


def _risk_train(engine: Engine, _moment: dt.datetime) -> None:
    risk.train(engine, SYSTEM)


SCHEDULE: tuple[Job, ...] = (
    Job("alerts-run", HOURLY, _alerts_run),
    Job("audit-anchor", HOURLY, _audit_anchor),
    Job("alerts-digest", DAILY, _alerts_digest, from_hour=7),
    Job("reminders", DAILY, _reminders, from_hour=8),
    Job("report-deliveries", DAILY, _report_deliveries, from_hour=7),
    Job("risk-train", MONTHLY, _risk_train, from_hour=2),  # the risk models retrained on last month's reports
)


def run_due(engine: Engine, *, moment: dt.datetime | None = None, schedule: Sequence[Job] | None = None,
            runner: str | None = None) -> list[Outcome]:
    """Run every job due at ``moment`` (default now) whose slot no runner has done; one failure stops no other."""
    moment = (moment or dt.datetime.now(CHINA_TIME)).astimezone(CHINA_TIME)
    outcomes = []
    for job in SCHEDULE if schedule is None else schedule:
        slot = job.slot(moment)
        if slot is not None:
            outcomes.append(run_once(engine, job.name, slot, partial(job.run, engine, moment), runner=runner))
    return outcomes


def _moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time such as 2026-11-30T08:00: {text[:30]!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TIME)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.jobs", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    due = commands.add_parser("run-due", help="run the jobs that are due and not done yet")
    due.add_argument("--as-of", type=_moment, help="the moment to run as (China time unless given), default now")
    status = commands.add_parser("status", help="print the recent runs")
    status.add_argument("--limit", type=int, default=30)
    args = parser.parse_args(argv)
    try:
        engine = create_database_engine()
        if args.command == "status":
            runs = recent_runs(engine, args.limit)
            print(runs.to_string(index=False) if len(runs) else "perfdash: no job has run yet")
            return 0
        outcomes = run_due(engine, moment=args.as_of)
    except DataAccessError as exc:
        print(f"perfdash: {exc}", file=sys.stderr)
        return 2
    for outcome in outcomes:  # a busy job was not tried here: no attempt to count
        attempt = f" (attempt {outcome.attempts})" if outcome.attempts else ""
        error = f": {outcome.error}" if outcome.error else ""
        print(f"perfdash: {outcome.job} {outcome.slot} {outcome.result}{attempt}{error}")
    return 1 if any(outcome.result == FAILED for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
