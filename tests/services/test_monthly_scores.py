"""Twelve months scored in one pass: the same mean totals as scoring month by month, on a hand-made model."""
import datetime as dt

import numpy as np
import pandas as pd

from services.scores import ScoringModel, monthly_totals, score_matrix

OCTOBER, NOVEMBER = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
# A: every category's KPI against each project's target; B: the schools' own KPI. Equal weights.
MODEL = ScoringModel(
    specs=pd.DataFrame({"direction": ["higher", "higher"], "method": ["target", "target"], "lower": np.nan,
                        "upper": np.nan, "falloff": np.nan, "cap": np.nan, "thresholds": [None, None],
                        "dimension": ["D", "D"], "category": [None, "school"]}, index=pd.Index(["A", "B"])),
    weights=pd.Series({"A": 0.5, "B": 0.5}),
    targets=pd.DataFrame({"A": [100.0, 50.0], "B": [np.nan, 10.0]}, index=[1, 2]),
    projects=pd.DataFrame({"category_code": ["road", "school"]}, index=[1, 2]),
)
MONTHS = pd.DataFrame({"A": [80.0, 50.0, 100.0], "B": [np.nan, 5.0, np.nan]},
                      index=pd.MultiIndex.from_tuples([(OCTOBER, 1), (OCTOBER, 2), (NOVEMBER, 1)],
                                                      names=["period", "project_id"]))


def monthly_mean_totals(model, months):
    return monthly_totals(model, months).groupby(level="period").mean()


def test_each_month_is_the_mean_of_its_projects_totals():
    # October: the road 80 (A at 80 % of 100); the school (A at its target 50 → 100, B at half of 10 → 50) 75.
    # November: only the road reported, at its target: 100.
    means = monthly_mean_totals(MODEL, MONTHS)
    assert means.to_dict() == {OCTOBER: 77.5, NOVEMBER: 100.0}


def test_one_pass_gives_what_scoring_each_month_on_its_own_gives():
    one_pass = monthly_mean_totals(MODEL, MONTHS)
    for period in (OCTOBER, NOVEMBER):
        month = MONTHS.xs(period, level="period")
        assert one_pass[period] == score_matrix(MODEL, month)["total"].mean()


def test_no_values_give_no_months():
    assert monthly_mean_totals(MODEL, MONTHS.iloc[0:0]).empty
