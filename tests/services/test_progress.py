"""The progress-gap matrix of the heat maps, on a hand-made series."""
import datetime as dt
import math

import pandas as pd

from services.progress import progress_gap

SEPTEMBER, OCTOBER = dt.date(2026, 9, 1), dt.date(2026, 10, 1)


def _series(rows):
    return pd.DataFrame(rows, columns=["project_id", "indicator_code", "period", "value"])


PROGRESS = _series([
    (1, "PROG_ACTUAL", SEPTEMBER, 40.0), (1, "PROG_PLAN", SEPTEMBER, 45.0),
    (1, "PROG_ACTUAL", OCTOBER, 50.0), (1, "PROG_PLAN", OCTOBER, 60.0),
    (2, "PROG_ACTUAL", SEPTEMBER, 30.0), (2, "PROG_PLAN", SEPTEMBER, 20.0),
    (2, "PROG_ACTUAL", OCTOBER, 35.0), (2, "PROG_PLAN", OCTOBER, 30.0),
    (3, "PROG_ACTUAL", SEPTEMBER, 10.0), (3, "PROG_PLAN", SEPTEMBER, 10.0),
    (3, "PROG_PLAN", OCTOBER, 20.0),  # no report in October
])


def test_the_gap_is_actual_minus_plan_per_month_furthest_behind_first():
    gap = progress_gap(PROGRESS, limit=10)
    assert gap.index.tolist() == [1, 2, 3]  # October: -10, +5, unknown last
    assert gap.columns.tolist() == [SEPTEMBER, OCTOBER]
    assert gap.loc[1].tolist() == [-5.0, -10.0]
    assert gap.loc[2].tolist() == [10.0, 5.0]
    assert gap.at[3, SEPTEMBER] == 0.0 and math.isnan(gap.at[3, OCTOBER])


def test_the_limit_keeps_the_projects_furthest_behind():
    assert progress_gap(PROGRESS, limit=2).index.tolist() == [1, 2]


def test_without_a_plan_series_there_is_no_matrix():
    assert progress_gap(PROGRESS[PROGRESS["indicator_code"] == "PROG_ACTUAL"], limit=10).empty
    assert progress_gap(PROGRESS.iloc[0:0], limit=10).empty
