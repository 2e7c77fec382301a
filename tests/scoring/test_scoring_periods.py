import datetime as dt

import pandas as pd
import pytest

from scoring.periods import (
    add_months,
    first_of_month,
    from_month_index,
    month_index,
    period_to_report,
    recent_months,
    report_due_date,
)


def test_month_index_counts_months_from_january_of_year_zero():
    assert month_index(dt.date(2026, 1, 1)) == 2026 * 12
    assert month_index(dt.date(2025, 12, 31)) == 2026 * 12 - 1
    assert from_month_index(2026 * 12 - 1) == dt.date(2025, 12, 1)
    assert from_month_index(2026 * 12 + 11) == dt.date(2026, 12, 1)


def test_first_of_month_returns_a_plain_date_for_dates_datetimes_and_timestamps():
    assert first_of_month(dt.date(2026, 3, 31)) == dt.date(2026, 3, 1)
    assert first_of_month(dt.datetime(2024, 2, 29, 23, 59)) == dt.date(2024, 2, 1)
    result = first_of_month(pd.Timestamp("2025-12-15 08:00"))
    assert result == dt.date(2025, 12, 1) and type(result) is dt.date


@pytest.mark.parametrize(("day", "months", "expected"), [
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 1)),  # no 31 February: periods are whole months
    (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 1)),
    (dt.date(2026, 12, 1), 1, dt.date(2027, 1, 1)),
    (dt.date(2026, 1, 15), -1, dt.date(2025, 12, 1)),
    (dt.date(2026, 3, 1), -14, dt.date(2025, 1, 1)),
    (dt.date(2026, 11, 30), 12, dt.date(2027, 11, 1)),
    (dt.date(2026, 5, 20), 0, dt.date(2026, 5, 1)),
    (dt.date(2026, 1, 1), -25, dt.date(2023, 12, 1)),
])
def test_add_months_steps_whole_months_across_year_boundaries(day, months, expected):
    assert add_months(day, months) == expected


def test_recent_months_lists_the_latest_period_first_across_the_new_year():
    assert recent_months(dt.date(2026, 2, 28), 4) == [dt.date(2026, 2, 1), dt.date(2026, 1, 1),
                                                      dt.date(2025, 12, 1), dt.date(2025, 11, 1)]
    assert recent_months(dt.date(2026, 2, 28), 1) == [dt.date(2026, 2, 1)]
    assert recent_months(dt.date(2026, 2, 28), 0) == []


def test_a_report_is_due_on_the_due_day_of_the_following_month_across_the_year_end():
    assert report_due_date(dt.date(2026, 10, 1), 5) == dt.date(2026, 11, 5)
    assert report_due_date(dt.date(2026, 12, 1), 5) == dt.date(2027, 1, 5)
    assert report_due_date(dt.date(2026, 11, 1), 1) == dt.date(2026, 12, 1)


def test_a_due_day_past_the_end_of_the_month_falls_on_its_last_day():
    assert report_due_date(dt.date(2027, 1, 1), 31) == dt.date(2027, 2, 28)
    assert report_due_date(dt.date(2028, 1, 1), 31) == dt.date(2028, 2, 29)  # leap year
    assert report_due_date(dt.date(2028, 1, 1), 30) == dt.date(2028, 2, 29)
    assert report_due_date(dt.date(2026, 3, 1), 31) == dt.date(2026, 4, 30)
    assert report_due_date(dt.date(2026, 6, 1), 31) == dt.date(2026, 7, 31)


def test_the_period_to_report_is_the_month_before_today_s():
    assert period_to_report(dt.date(2026, 11, 1)) == dt.date(2026, 10, 1)
    assert period_to_report(dt.date(2026, 11, 30)) == dt.date(2026, 10, 1)
    assert period_to_report(dt.date(2027, 1, 3)) == dt.date(2026, 12, 1)
    assert period_to_report(dt.date(2026, 1, 31)) == dt.date(2025, 12, 1)
