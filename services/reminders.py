"""Reminders of reporting deadlines: the scheduler's run, and an official's 提醒填报 button.

Command line for schedulers (idempotent: each user hears once per topic, however often it runs)::

    python -m services.reminders run [--as-of 2026-12-02]

A run closes the rating rounds past their deadline (their results feed the scores), reminds the managers of
projects whose report on the period is still missing when its due date is at most ``PERFDASH_REMINDER_DAYS``
away, reminds raters of the ratings they still owe in rounds ending within as many days, and e-mails the
reminders at once (services.notify).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from data_access import DataAccessError, Viewer, create_database_engine
from data_access import tasks as task_store
from data_access.policy import SYSTEM  # the scheduler reminds every district's managers
from data_access.ratings import deadline_text
from services import notify, reporting_calendar
from services.rating_rounds import close_due_rounds
from services.reporting_calendar import current_period, reminder_days


@dataclass(frozen=True)
class ReminderRun:
    """What one scheduler run did."""

    period: dt.date
    due: dt.date
    rounds_closed: list[int]  # rating rounds closed because their deadline had passed
    reports_reminded: int  # managers newly reminded of a report
    raters_reminded: int  # reminders newly sent to raters (one per rater and round)
    emails_sent: int
    emails_failed: int


def remind_due_reports(engine: Engine, *, as_of: dt.date, now: dt.datetime) -> int:
    """Remind managers of reports still missing when the deadline is ``reminder_days`` away or less."""
    period, due = current_period(as_of)
    if not 0 <= (due - as_of).days <= reminder_days():
        return 0
    missing = task_store.missing_reports(engine, SYSTEM, period=period)
    missing = missing[missing["manager_id"].notna()]
    reminders = task_store.report_reminders(missing, period, kind=task_store.REPORT_DUE, due=due)
    return task_store.send_reminders(engine, SYSTEM, reminders, now=now)


def remind_raters(engine: Engine, *, now: dt.datetime) -> int:
    """Remind raters of what they still owe in open rounds whose deadline is ``reminder_days`` away or less."""
    owed = task_store.ratings_owed(engine, SYSTEM, now=now, within=dt.timedelta(days=reminder_days()))
    rounds = owed.drop_duplicates("round_id")
    deadlines = {int(round_id): deadline_text(deadline)
                 for round_id, deadline in zip(rounds["round_id"], rounds["deadline"], strict=True)}
    return task_store.send_reminders(engine, SYSTEM, task_store.rating_reminders(owed, deadlines), now=now)


def run(engine: Engine, *, as_of: dt.date, now: dt.datetime, settings: notify.SmtpSettings | None) -> ReminderRun:
    """Everything a scheduler run does, in order: close overdue rounds, remind, then e-mail what was queued."""
    period, due = current_period(as_of)
    closed = close_due_rounds(engine, now)
    reports = remind_due_reports(engine, as_of=as_of, now=now)
    raters = remind_raters(engine, now=now)
    sent, failed = notify.send_immediate(engine, settings, kinds=task_store.REMINDER_KINDS)
    return ReminderRun(period=period, due=due, rounds_closed=closed, reports_reminded=reports,
                       raters_reminded=raters, emails_sent=sent, emails_failed=failed)


def remind_reporters(engine: Engine, viewer: Viewer, *, period: dt.date, project_ids: Sequence[int],
                     now: dt.datetime | None = None, settings: notify.SmtpSettings | None = None) -> int:
    """An official reminds the managers of these projects of ``period``'s missing report (inbox and e-mail).

    One message per manager and period, however often asked; returns how many managers were newly reminded.
    ``settings`` defaults to the configured SMTP server (none: the inbox only).
    """
    reminded = task_store.remind_reporters(engine, viewer, period=period, project_ids=project_ids,
                                           now=now or dt.datetime.now(dt.UTC))
    if reminded:
        settings = settings or notify.SmtpSettings.from_environment()
        notify.send_immediate(engine, settings, kinds=(task_store.REPORT_REMIND,))
    return reminded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.reminders", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="the day to run as, YYYY-MM-DD")
    args = parser.parse_args(argv)
    now = dt.datetime.now(dt.UTC)
    try:
        engine = create_database_engine()
        result = run(engine, as_of=args.as_of or reporting_calendar.today(), now=now,
                     settings=notify.SmtpSettings.from_environment())
    except DataAccessError as exc:
        print(f"perfdash: {exc}", file=sys.stderr)
        return 2
    print(f"perfdash: rating rounds closed {len(result.rounds_closed)}; report {result.period:%Y-%m} due "
          f"{result.due:%Y-%m-%d}: {result.reports_reminded} manager(s) reminded; {result.raters_reminded} "
          f"rater reminder(s); e-mails sent {result.emails_sent}, failed {result.emails_failed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
