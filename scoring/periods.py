"""Calendar months, the unit of every period: a period is the first day of its month.

One place for month arithmetic, so the data layer, the services and the pages step through months alike
(year boundaries included) instead of each redoing ``year * 12 + month - 1``. The lowest layer, so everyone
may import it.
"""
from __future__ import annotations

import calendar
import datetime as dt


def month_index(day: dt.date) -> int:
    """Months since January of year 0: consecutive months have consecutive indices.

    >>> month_index(dt.date(2026, 1, 31)) - month_index(dt.date(2025, 12, 1))
    1
    """
    return day.year * 12 + day.month - 1


def from_month_index(index: int) -> dt.date:
    """The first day of the month with this :func:`month_index`.

    >>> from_month_index(month_index(dt.date(2026, 12, 15)) + 1)
    datetime.date(2027, 1, 1)
    """
    return dt.date(index // 12, index % 12 + 1, 1)


def first_of_month(day: dt.date) -> dt.date:
    """The period ``day`` falls in (also for a ``datetime`` or ``pandas.Timestamp``: always a plain date).

    >>> first_of_month(dt.datetime(2026, 2, 28, 23, 59))
    datetime.date(2026, 2, 1)
    """
    return dt.date(day.year, day.month, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The period ``months`` calendar months after ``day``'s (before it when negative).

    Works on whole months, so the day of the month never overflows: 31 January plus one month is February.

    >>> add_months(dt.date(2026, 1, 31), 1), add_months(dt.date(2026, 1, 1), -1)
    (datetime.date(2026, 2, 1), datetime.date(2025, 12, 1))
    """
    return from_month_index(month_index(day) + months)


def recent_months(latest: dt.date, count: int) -> list[dt.date]:
    """``latest``'s period and the ``count - 1`` periods before it, newest first.

    >>> recent_months(dt.date(2026, 2, 14), 3)
    [datetime.date(2026, 2, 1), datetime.date(2026, 1, 1), datetime.date(2025, 12, 1)]
    """
    return [add_months(latest, -k) for k in range(count)]


def report_due_date(period: dt.date, due_day: int) -> dt.date:
    """The day the monthly report on ``period`` is due: ``due_day`` of the following month.

    A due day past the month's end falls on its last day (31 in February is the 28th or 29th).

    >>> report_due_date(dt.date(2026, 12, 1), 5), report_due_date(dt.date(2028, 1, 1), 31)
    (datetime.date(2027, 1, 5), datetime.date(2028, 2, 29))
    """
    month = add_months(period, 1)
    return dt.date(month.year, month.month, min(max(due_day, 1), calendar.monthrange(month.year, month.month)[1]))


def period_to_report(today: dt.date) -> dt.date:
    """The period whose report is due next on ``today``: the month before today's.

    >>> period_to_report(dt.date(2027, 1, 3))
    datetime.date(2026, 12, 1)
    """
    return add_months(first_of_month(today), -1)
