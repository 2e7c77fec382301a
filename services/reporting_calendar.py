"""The reporting calendar's settings, read in one place: when a monthly report is due, when reminders go out.

``PERFDASH_REPORT_DUE_DAY`` (default 5): the report on month M is due on this day of M+1 (a day past the end
of a short month falls on its last day). ``PERFDASH_REMINDER_DAYS`` (default 3): how many days before a
deadline (a report's, a rating round's) the scheduler reminds whoever still owes it.
"""
from __future__ import annotations

import datetime as dt
import os

from data_access.errors import ConfigurationError
from scoring.checkin import CHINA_TIME
from scoring.periods import period_to_report, report_due_date


def _whole_number(name: str, default: int, low: int, high: int) -> int:
    text = os.environ.get(name, "").strip() or str(default)
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise ConfigurationError(f"{name} must be a whole number from {low} to {high}, not {text[:20]!r}",
                                 message_zh=f"{name} 须为 {low} 到 {high} 之间的整数")
    return int(text)


def report_due_day() -> int:
    """``PERFDASH_REPORT_DUE_DAY``: the day of the following month a monthly report is due (1–31)."""
    return _whole_number("PERFDASH_REPORT_DUE_DAY", 5, 1, 31)


def reminder_days() -> int:
    """``PERFDASH_REMINDER_DAYS``: remind this many days before a deadline (0: on the day only)."""
    return _whole_number("PERFDASH_REMINDER_DAYS", 3, 0, 60)


def today() -> dt.date:
    """Today on the reporting calendar's clock (China time): a report due on the 5th is late from the 6th
    there, whatever the server's time zone."""
    return dt.datetime.now(CHINA_TIME).date()


def due_date(period: dt.date) -> dt.date:
    """When the report on ``period`` is due under the configured due day."""
    return report_due_date(period, report_due_day())


def current_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The period to report on ``today`` and its due date."""
    period = period_to_report(today)
    return period, due_date(period)
