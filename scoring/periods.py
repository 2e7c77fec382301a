"""Calendar months, the unit of every period: a period is the first day of its month.

One place for month arithmetic, so the data layer, the services and the pages step through months alike
(year boundaries included) instead of each redoing ``year * 12 + month - 1``. The lowest layer, so everyone
may import it.
"""
from __future__ import annotations

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
