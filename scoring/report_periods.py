"""The periods reports cover: ISO weeks, months, quarters and years, named as people write them in files.

A report kind has one period length (``weekly`` a week, ``monthly`` a month, ``quarterly`` and
``white_paper_quarter`` a quarter, ``white_paper_year`` a year). Labels are ``2026-W44``, ``2026-10``,
``2026-Q3`` and ``2026``; a label is parsed in one place (:func:`parse`) so a bad one gets the same clear error
from the page, the command line and the scheduler. Scores are monthly, so a period is also read as the months
it covers (:attr:`ReportPeriod.last_month`: the month whose scores a report states).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from scoring.periods import add_months, first_of_month

LENGTH_OF_KIND = {"weekly": "week", "monthly": "month", "quarterly": "quarter",
                  "white_paper_quarter": "quarter", "white_paper_year": "year"}
_PATTERNS = {
    "week": re.compile(r"(\d{4})-W(\d{2})"),
    "month": re.compile(r"(\d{4})-(\d{2})"),
    "quarter": re.compile(r"(\d{4})-Q([1-4])"),
    "year": re.compile(r"(\d{4})"),
}
EXAMPLES = {"week": "2026-W44", "month": "2026-10", "quarter": "2026-Q3", "year": "2026"}


class BadPeriod(ValueError):
    """A period label that does not name a period of the kind's length; says what a good one looks like."""

    def __init__(self, label: str, length: str) -> None:
        super().__init__(f"{label!r} is not a {length} such as {EXAMPLES[length]}")
        self.label, self.length, self.example = label, length, EXAMPLES[length]


@dataclass(frozen=True)
class ReportPeriod:
    """A report's period: its label, first and last day, and the one before it (for "change vs previous")."""

    length: str
    label: str
    start: dt.date
    end: dt.date

    @property
    def last_month(self) -> dt.date:
        """The first day of the last month the period touches: the month whose scores the report states.

        >>> parse("quarterly", "2026-Q3").last_month
        datetime.date(2026, 9, 1)
        """
        return first_of_month(self.end)

    def previous(self) -> ReportPeriod:
        """The period of the same length just before this one.

        >>> parse("weekly", "2026-W01").previous().label, parse("monthly", "2026-01").previous().label
        ('2025-W52', '2025-12')
        """
        return containing(self.length, self.start - dt.timedelta(days=1))

    def next(self) -> ReportPeriod:
        """The period of the same length just after this one."""
        return containing(self.length, self.end + dt.timedelta(days=1))


def length_of(kind: str) -> str:
    """The period length of a report kind (``week``, ``month``, ``quarter`` or ``year``)."""
    return LENGTH_OF_KIND[kind]


def containing(length: str, day: dt.date) -> ReportPeriod:
    """The period of ``length`` that contains ``day``.

    >>> containing("quarter", dt.date(2026, 11, 30))
    ReportPeriod(length='quarter', label='2026-Q4', start=datetime.date(2026, 10, 1), end=datetime.date(2026, 12, 31))
    >>> containing("week", dt.date(2026, 11, 30)).label
    '2026-W49'
    """
    if length == "week":
        year, week, weekday = day.isocalendar()
        start = day - dt.timedelta(days=weekday - 1)
        return ReportPeriod(length, f"{year}-W{week:02d}", start, start + dt.timedelta(days=6))
    if length == "month":
        start = first_of_month(day)
        return ReportPeriod(length, f"{start:%Y-%m}", start, add_months(start, 1) - dt.timedelta(days=1))
    if length == "quarter":
        quarter = (day.month - 1) // 3
        start = dt.date(day.year, quarter * 3 + 1, 1)
        return ReportPeriod(length, f"{day.year}-Q{quarter + 1}", start, add_months(start, 3) - dt.timedelta(days=1))
    if length == "year":
        return ReportPeriod(length, str(day.year), dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise ValueError(f"unknown period length {length!r}")


def parse(kind: str, label: str) -> ReportPeriod:
    """The period a label names for a report kind; :class:`BadPeriod` if it names none.

    >>> parse("monthly", "2026-10").end
    datetime.date(2026, 10, 31)
    >>> parse("weekly", "2025-W53")
    Traceback (most recent call last):
    ...
    scoring.report_periods.BadPeriod: '2025-W53' is not a week such as 2026-W44
    """
    length = length_of(kind)
    match = _PATTERNS[length].fullmatch(label.strip())
    if match is None:
        raise BadPeriod(label, length)
    year = int(match.group(1))
    try:
        if length == "week":
            day = dt.date.fromisocalendar(year, int(match.group(2)), 1)
        elif length == "month":
            day = dt.date(year, int(match.group(2)), 1)
        elif length == "quarter":
            day = dt.date(year, (int(match.group(2)) - 1) * 3 + 1, 1)
        else:
            day = dt.date(year, 1, 1)
    except ValueError:
        raise BadPeriod(label, length) from None
    return containing(length, day)


def last_closed(kind: str, today: dt.date) -> ReportPeriod:
    """The newest period of the kind that has ended before ``today``: what a scheduler builds and sends.

    >>> last_closed("monthly", dt.date(2026, 12, 1)).label, last_closed("white_paper_year", dt.date(2026, 12, 1)).label
    ('2026-11', '2025')
    """
    return containing(length_of(kind), today).previous()
