"""Risk features: only what was known on the prediction day, and the rule's score computed by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.risk_features import FEATURES, features_at, outcomes
from tests.risk_data import demo_facts

DAYS = [pd.Timestamp("2022-03-15"), pd.Timestamp("2023-06-01"), pd.Timestamp("2024-09-20"),
        pd.Timestamp("2026-02-10")]


def _project(**fields: object) -> pd.DataFrame:
    row = {"id": 1, "category_code": "smart_city", "budget": 10_000_000.0,
           "planned_start": pd.Timestamp("2025-01-01"), "planned_end": pd.Timestamp("2026-01-01"),
           "actual_start": pd.Timestamp("2025-01-01"), "actual_end": pd.NaT}
    return pd.DataFrame([{**row, **fields}])


def _reports(months: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Progress reports: month → (plan, actual)."""
    rows = []
    for month, (plan, actual) in months.items():
        rows += [{"project_id": 1, "indicator_code": "PROG_PLAN", "period": pd.Timestamp(month), "value": plan},
                 {"project_id": 1, "indicator_code": "PROG_ACTUAL", "period": pd.Timestamp(month), "value": actual}]
    return pd.DataFrame(rows, columns=["project_id", "indicator_code", "period", "value"])


NO_MILESTONES = pd.DataFrame({"project_id": pd.Series(dtype=int), "planned_end": pd.Series(dtype="datetime64[us]"),
                              "actual_end": pd.Series(dtype="datetime64[us]")})


def _one(observations: pd.DataFrame, day: str, milestones: pd.DataFrame = NO_MILESTONES,
         **fields: object) -> pd.Series:
    examples = pd.DataFrame({"project_id": [1], "as_of": [pd.Timestamp(day)]})
    return features_at(_project(**fields), observations, milestones, examples).iloc[0]


def test_the_rule_score_is_the_smaller_lag_of_the_last_two_months_and_the_run_counts_months_over_5_points():
    reports = _reports({"2025-05-01": (40, 37), "2025-06-01": (50, 43), "2025-07-01": (60, 51)})
    row = _one(reports, "2025-08-20")  # July's report is the latest known in August
    assert row["lag_latest"] == 9.0
    assert row["rule_score"] == 7.0  # min(50 − 43, 60 − 51): the rule fires (> 5) on both months
    assert row["lag_months"] == 2.0  # July and June over 5 points; May (3) is not
    assert row["lag_trend"] == pytest.approx(np.nan, nan_ok=True)  # no report three months before July
    assert row["schedule_lag_days"] == pytest.approx(9 / 100 * 365)


def test_a_missing_month_breaks_the_rules_run_so_the_score_cannot_exceed_zero():
    reports = _reports({"2025-05-01": (40, 30), "2025-07-01": (60, 51)})
    row = _one(reports, "2025-08-01")
    assert row["rule_score"] == 0.0 and row["lag_months"] == 1.0
    assert row["missing_reports"] == 4.0  # February to April and June: of the six months after the January start


def test_this_months_report_is_not_known_during_the_month():
    reports = _reports({"2025-06-01": (50, 45), "2025-07-01": (60, 40)})
    assert _one(reports, "2025-07-31")["lag_latest"] == 5.0
    assert _one(reports, "2025-08-01")["lag_latest"] == 20.0


def test_milestones_count_as_slipped_until_they_finish_and_a_later_finish_is_not_known():
    milestones = pd.DataFrame({"project_id": [1, 1], "planned_end": pd.to_datetime(["2025-03-01", "2025-05-01"]),
                               "actual_end": pd.to_datetime(["2025-03-11", "2025-07-01"])})
    row = _one(_reports({}), "2025-06-01", milestones)
    assert row["milestone_slip_days"] == 31.0  # the second: due 1 May, still open on 1 June
    assert row["milestones_overdue"] == 1.0
    assert _one(_reports({}), "2025-08-01", milestones)["milestone_slip_days"] == 61.0  # finished 1 July


def test_spend_is_compared_with_its_plan_and_with_progress():
    spend = pd.DataFrame([
        {"project_id": 1, "indicator_code": "SPEND_CUM", "period": pd.Timestamp("2025-06-01"), "value": 600.0},
        {"project_id": 1, "indicator_code": "SPEND_PLAN", "period": pd.Timestamp("2025-06-01"), "value": 500.0}])
    row = _one(pd.concat([_reports({"2025-06-01": (50, 45)}), spend]), "2025-07-01")
    assert row["spend_vs_plan"] == pytest.approx(20.0)  # 600 against 500 planned
    assert row["spend_vs_progress"] == pytest.approx(600 / 1000 * 100 - 45)  # 60 % of the budget, 45 % built


def _alter_after(facts, day: pd.Timestamp):
    """Everything dated on or after ``day`` changed: later reports doubled and new ones added, later
    milestone finishes moved, the projects' ends moved."""
    month = day.to_period("M").to_timestamp()
    observations = facts.observations.copy()
    later = observations["period"] >= month
    observations.loc[later, "value"] = observations.loc[later, "value"] * 2 + 7
    extra = observations.groupby("project_id").head(1).assign(period=month + pd.DateOffset(months=1), value=99.0)
    milestones = facts.milestones.copy()
    finished_later = milestones["actual_end"] >= day
    milestones.loc[finished_later, "actual_end"] = milestones.loc[finished_later, "actual_end"] + pd.Timedelta(days=90)
    projects = facts.projects.copy()
    projects["actual_end"] = projects["actual_end"].where(projects["actual_end"] < day, day + pd.Timedelta(days=400))
    starting_later = projects["actual_start"] >= day
    projects.loc[starting_later, "actual_start"] = projects.loc[starting_later, "actual_start"] + pd.Timedelta(days=45)
    return projects, pd.concat([observations, extra], ignore_index=True), milestones


@pytest.mark.parametrize("day", DAYS, ids=[f"{day:%Y-%m-%d}" for day in DAYS])
def test_features_on_a_day_do_not_change_when_anything_after_that_day_changes(day):
    facts = demo_facts()
    examples = pd.DataFrame({"project_id": facts.projects["id"], "as_of": day})
    before = features_at(facts.projects, facts.observations, facts.milestones, examples)
    after = features_at(*_alter_after(facts, day), examples)
    assert before[list(FEATURES)].notna().to_numpy().sum() > len(before) * 5  # the day has facts to read
    pd.testing.assert_frame_equal(before, after)


def test_the_leakage_check_itself_sees_a_change_before_the_day():
    facts = demo_facts()
    day = DAYS[2]
    examples = pd.DataFrame({"project_id": facts.projects["id"], "as_of": day})
    before = features_at(facts.projects, facts.observations, facts.milestones, examples)
    observations = facts.observations.copy()
    observations["value"] = observations["value"] + np.where(observations["period"] < day, 3.0, 0.0)
    changed = features_at(facts.projects, observations, facts.milestones, examples)
    assert not before["spend_vs_progress"].equals(changed["spend_vs_progress"])


def test_outcomes_are_the_delay_in_days_and_the_last_spend_against_the_budget():
    observations = pd.DataFrame([
        {"project_id": 1, "indicator_code": "SPEND_CUM", "period": pd.Timestamp("2025-11-01"), "value": 900.0},
        {"project_id": 1, "indicator_code": "SPEND_CUM", "period": pd.Timestamp("2026-02-01"), "value": 1150.0}])
    result = outcomes(_project(actual_end=pd.Timestamp("2026-02-15")), observations).iloc[0]
    assert result["delay_days"] == 45.0
    assert result["overrun_pct"] == pytest.approx(15.0)
