"""Early-warning rules: every rule type at its boundaries, scopes, statuses, hysteresis, validation, reconcile."""

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.rules import FINDING_COLUMNS, Rule, evaluate, reconcile

AS_OF = dt.date(2026, 6, 15)  # the last completed month is 2026-05


def projects(*rows: dict) -> pd.DataFrame:
    """Projects frame as the data layer returns it; each row overrides the defaults of one active project."""
    defaults = {"category_code": "road", "region_path": "/1/4/", "budget": 1e12, "status": "active",
                "planned_start": dt.date(2024, 1, 1), "planned_end": dt.date(2028, 1, 1)}
    return pd.DataFrame([{**defaults, **row} for row in rows])


ONE_PROJECT = projects({"id": 1})


def observations(*series: tuple[int, str, dict[str, float]]) -> pd.DataFrame:
    """Long observations from (project_id, indicator_code, {"2026-05": value, ...}) triples."""
    rows = [(project_id, code, month, value) for project_id, code, values in series for month, value in values.items()]
    frame = pd.DataFrame(rows, columns=["project_id", "indicator_code", "period", "value"])
    frame["period"] = pd.to_datetime(frame["period"] + "-01").astype("datetime64[us]")
    return frame.astype({"project_id": "int64", "value": "float64"})


def run(rule: Rule, *, project_frame: pd.DataFrame = ONE_PROJECT, as_of: dt.date = AS_OF, open_alerts=(),
        **frames) -> pd.DataFrame:
    return evaluate([rule], projects=project_frame, as_of=as_of, open_alerts=open_alerts, **frames)


def fired(found: pd.DataFrame) -> list:
    return found["project_id"].tolist()


def month(text: str) -> pd.Timestamp:
    return pd.Timestamp(text + "-01")


# --- budget_overrun -------------------------------------------------------------------------------------------

BUDGET = Rule(1, "budget_overrun", "red")


def spend(project_id: int, spent: dict[str, float], planned: dict[str, float]) -> list:
    return [(project_id, "SPEND_CUM", spent), (project_id, "SPEND_PLAN", planned)]


class TestBudgetOverrun:
    @pytest.mark.parametrize(("spent", "planned", "fires"), [
        (110.0, 100.0, False), (110.01, 100.0, True), (33.0, 30.0, False),
        (135.74, 123.4, False),  # 10.000000000000002 % in floats: exactly 10 % to a person
        (0.33, 0.3, False),  # 10.000000000000009 %
        (135.75, 123.4, True),
    ])
    def test_overrun_is_strictly_more_than_pct(self, spent, planned, fires):
        found = run(BUDGET, observations=observations(*spend(1, {"2026-05": spent}, {"2026-05": planned})))
        assert fired(found) == ([1] if fires else [])

    def test_finding_reports_overrun_month_and_spend(self):
        found = run(BUDGET, observations=observations(*spend(1, {"2026-05": 120.0}, {"2026-05": 100.0})))
        row = found.iloc[0]
        assert (row.rule_type, row.severity, row.value, row.threshold, row.periods) == \
            ("budget_overrun", "red", 20.0, 10.0, 1)
        assert row.period == month("2026-05")
        assert row.detail == {"spend": 120.0, "plan": 100.0, "budget": 1e12, "over_budget": False,
                              "held_open": False}

    def test_latest_month_with_both_series_counts(self):
        series = spend(1, {"2026-04": 150.0, "2026-05": 105.0, "2026-06": 300.0}, {"2026-04": 100.0, "2026-05": 100.0})
        assert fired(run(BUDGET, observations=observations(*series))) == []  # May: 5 %; June has no plan

    def test_data_after_as_of_is_ignored(self):
        series = spend(1, {"2026-06": 105.0, "2026-07": 200.0}, {"2026-06": 100.0, "2026-07": 100.0})
        assert fired(run(BUDGET, observations=observations(*series))) == []
        found = run(BUDGET, observations=observations(*series), as_of=dt.date(2026, 7, 1))
        assert found["value"].tolist() == [100.0] and found.at[0, "period"] == month("2026-07")

    @pytest.mark.parametrize(("spent", "fires"), [(500.0, False), (500.01, True)])
    def test_spend_over_budget_fires_below_pct(self, spent, fires):
        frame = projects({"id": 1, "budget": 5_000_000.0})  # CNY; spend is 万元
        found = run(BUDGET, project_frame=frame,
                    observations=observations(*spend(1, {"2026-05": spent}, {"2026-05": 500.0})))
        assert fired(found) == ([1] if fires else [])
        if fires:
            assert found.at[0, "detail"]["over_budget"] is True and found.at[0, "value"] < 10

    def test_budget_comparison_ignores_float_noise(self):
        frame = projects({"id": 1, "budget": 700.0})  # 0.07 万元 × 10,000 = 700.0000000000001
        found = run(BUDGET, project_frame=frame,
                    observations=observations(*spend(1, {"2026-05": 0.07}, {"2026-05": 0.07})))
        assert fired(found) == []

    @pytest.mark.parametrize("plan", [0.0, -5.0])
    def test_plan_not_positive_leaves_only_the_budget_test(self, plan):
        frame = projects({"id": 1, "budget": 1_000_000.0}, {"id": 2, "budget": 1_000_000.0})
        series = spend(1, {"2026-05": 100.0}, {"2026-05": plan}) + spend(2, {"2026-05": 100.01}, {"2026-05": plan})
        found = run(BUDGET, project_frame=frame, observations=observations(*series))
        assert fired(found) == [2]
        assert np.isnan(found.at[0, "value"]) and found.at[0, "detail"]["over_budget"] is True

    @pytest.mark.parametrize("budget", [0.0, np.nan])
    def test_unknown_budget_leaves_only_the_plan_test(self, budget):
        frame = projects({"id": 1, "budget": budget})
        assert fired(run(BUDGET, project_frame=frame,
                         observations=observations(*spend(1, {"2026-05": 105.0}, {"2026-05": 100.0})))) == []

    def test_custom_pct(self):
        rule = Rule(1, "budget_overrun", "orange", {"pct": 5})
        found = run(rule, observations=observations(*spend(1, {"2026-05": 105.5}, {"2026-05": 100.0})))
        assert fired(found) == [1] and found.at[0, "threshold"] == 5.0


# --- progress_lag ---------------------------------------------------------------------------------------------

LAG = Rule(2, "progress_lag", "orange")


def progress(project_id: int, lags: dict[str, float | None], plan: float = 60.0) -> list:
    """PROG_PLAN fixed at ``plan`` and PROG_ACTUAL below it by each lag; None drops the actual that month."""
    return [(project_id, "PROG_PLAN", {m: plan for m in lags}),
            (project_id, "PROG_ACTUAL", {m: plan - lag for m, lag in lags.items() if lag is not None})]


class TestProgressLag:
    @pytest.mark.parametrize(("lags", "fires"), [
        ({"2026-04": 4.0, "2026-05": 6.0}, False),  # one month over
        ({"2026-04": 6.0, "2026-05": 6.0}, True),  # two months
        ({"2026-04": 5.0, "2026-05": 6.0}, False),  # exactly 5 is not over
        ({"2026-04": 6.0, "2026-05": 5.0}, False),
        ({"2026-04": 5.01, "2026-05": 5.01}, True),
        ({"2026-03": 6.0, "2026-04": None, "2026-05": 6.0}, False),  # April lacks the actual: the run breaks
    ])
    def test_lag_must_exceed_points_for_consecutive_months(self, lags, fires):
        assert fired(run(LAG, observations=observations(*progress(1, lags)))) == ([1] if fires else [])

    def test_float_noise_at_the_threshold_does_not_fire(self):
        series = [(1, "PROG_PLAN", {"2026-04": 8.3, "2026-05": 8.3}),
                  (1, "PROG_ACTUAL", {"2026-04": 3.3, "2026-05": 3.3})]
        assert fired(run(LAG, observations=observations(*series))) == []  # 8.3 − 3.3 = 5.000000000000001

    def test_month_without_any_report_breaks_the_run(self):
        # project 2 reports April, so April exists as a month; project 1 skipped it entirely
        series = progress(1, {"2026-03": 9.0, "2026-05": 9.0}) + progress(2, {"2026-04": 0.0, "2026-05": 0.0})
        assert fired(run(LAG, observations=observations(*series), project_frame=projects({"id": 1}, {"id": 2}))) == []

    def test_calendar_gap_nobody_reported_breaks_the_run(self):
        assert fired(run(LAG, observations=observations(*progress(1, {"2026-03": 9.0, "2026-05": 9.0})))) == []

    def test_reports_streak_value_and_latest_month_with_both_values(self):
        series = progress(1, {"2026-01": 1.0, "2026-02": 7.0, "2026-03": 8.0, "2026-04": 9.0, "2026-05": 10.0})
        series.append((1, "PROG_PLAN", {"2026-06": 80.0}))  # June has no actual: May is the latest month
        found = run(LAG, observations=observations(*series))
        row = found.iloc[0]
        assert (row.value, row.threshold, row.periods, row.period) == (10.0, 5.0, 4, month("2026-05"))
        assert row.detail == {"plan": 60.0, "actual": 50.0, "held_open": False}

    def test_periods_parameter(self):
        rule = Rule(2, "progress_lag", "orange", {"periods": 3, "points": 2})
        lags = {"2026-03": 3.0, "2026-04": 3.0, "2026-05": 3.0}
        assert fired(run(rule, observations=observations(*progress(1, lags)))) == [1]
        assert fired(run(rule, observations=observations(*progress(1, {**lags, "2026-03": 2.0})))) == []

    def test_single_period_rule(self):
        rule = Rule(2, "progress_lag", "orange", {"periods": 1})
        assert fired(run(rule, observations=observations(*progress(1, {"2026-05": 5.5})))) == [1]

    def test_data_after_as_of_is_ignored(self):
        series = progress(1, {"2026-05": 6.0, "2026-06": 6.0, "2026-07": 6.0})
        assert fired(run(LAG, observations=observations(*series), as_of=dt.date(2026, 5, 31))) == []
        assert fired(run(LAG, observations=observations(*series), as_of=dt.date(2026, 6, 1))) == [1]


    @settings(max_examples=100, deadline=None)
    @given(lags=st.lists(st.one_of(st.none(), st.just("gap"), st.sampled_from([0.0, 4.0, 4.5, 5.0, 5.5, 9.0])),
                         max_size=8),
           periods=st.integers(1, 4), is_open=st.booleans())
    def test_matches_a_month_by_month_walk(self, lags, periods, is_open):
        """Reference: from the latest month with both values, walk back while each month lags by more than 5."""
        first = pd.Period("2025-11", "M")
        by_month = {str(first + i): lag for i, lag in enumerate(lags) if lag != "gap"}  # "gap": no report at all
        found = run(LAG if periods == 2 else Rule(2, "progress_lag", "orange", {"periods": periods}),
                    observations=observations(*progress(1, by_month)), open_alerts=[(2, 1)] if is_open else [])
        measured = [m for m, lag in by_month.items() if lag is not None]
        if not measured:
            assert found.empty
            return
        cursor, run_length = pd.Period(max(measured), "M"), 0
        while by_month.get(str(cursor)) is not None and by_month[str(cursor)] > 5:
            run_length, cursor = run_length + 1, cursor - 1
        latest = by_month[max(measured)]
        fires = run_length >= periods or (is_open and latest > 4)
        assert fired(found) == ([1] if fires else [])

# --- milestone_overdue ----------------------------------------------------------------------------------------

OVERDUE = Rule(3, "milestone_overdue", "yellow")


def milestones(*rows: dict) -> pd.DataFrame:
    """Milestones with dates as datetime.date objects, as SQLAlchemy returns them."""
    defaults = {"project_id": 1, "actual_end": None, "percent_complete": 50.0}
    frame = pd.DataFrame([{**defaults, **row} for row in rows])
    return frame.astype({"percent_complete": "float64"})


class TestMilestoneOverdue:
    @pytest.mark.parametrize(("planned_end", "fires"), [
        (dt.date(2026, 6, 12), False),  # exactly 3 days before as_of
        (dt.date(2026, 6, 11), True),
        (dt.date(2026, 7, 1), False),
    ])
    def test_more_than_days_before_as_of(self, planned_end, fires):
        found = run(OVERDUE, milestones=milestones({"id": 10, "planned_end": planned_end}))
        assert fired(found) == ([1] if fires else [])
        if fires:
            assert found.at[0, "value"] == 4.0 and found.at[0, "threshold"] == 3.0 and pd.isna(found.at[0, "period"])

    @pytest.mark.parametrize("finished", [{"actual_end": dt.date(2026, 6, 20)}, {"percent_complete": 100.0},
                                          {"actual_end": dt.date(2026, 1, 2), "percent_complete": 40.0}])
    def test_finished_milestone_never_fires(self, finished):
        frame = milestones({"id": 10, "planned_end": dt.date(2026, 1, 1), **finished})
        assert fired(run(OVERDUE, milestones=frame)) == []

    def test_missing_percent_counts_as_unfinished(self):
        found = run(OVERDUE, milestones=milestones({"id": 10, "planned_end": dt.date(2026, 1, 1),
                                                    "percent_complete": np.nan}))
        assert fired(found) == [1]

    def test_one_finding_per_project_for_the_worst_milestone(self):
        frame = milestones({"id": 12, "planned_end": dt.date(2026, 5, 1), "percent_complete": 90.0},
                           {"id": 11, "planned_end": dt.date(2026, 3, 1), "percent_complete": 20.0},
                           {"id": 13, "planned_end": dt.date(2026, 6, 14)},  # 1 day: not overdue
                           {"id": 14, "planned_end": dt.date(2026, 2, 1), "percent_complete": 100.0},
                           {"id": 20, "project_id": 2, "planned_end": dt.date(2026, 4, 1)},
                           {"id": 19, "project_id": 2, "planned_end": dt.date(2026, 4, 1)})
        found = run(OVERDUE, milestones=frame, project_frame=projects({"id": 1}, {"id": 2}))
        assert found["project_id"].tolist() == [1, 2]
        assert found["value"].tolist() == [(AS_OF - dt.date(2026, 3, 1)).days, (AS_OF - dt.date(2026, 4, 1)).days]
        assert found.at[0, "detail"] == {"milestone_id": 11, "planned_end": "2026-03-01", "percent_complete": 20.0,
                                         "overdue_milestones": 2}
        assert found.at[1, "detail"]["milestone_id"] == 19  # same days overdue: the lower id

    def test_needs_no_observations(self):
        found = evaluate([OVERDUE], projects=ONE_PROJECT, as_of=AS_OF,
                         milestones=milestones({"id": 10, "planned_end": dt.date(2026, 1, 1)}))
        assert fired(found) == [1]


# --- indicator_threshold --------------------------------------------------------------------------------------

def threshold_rule(**params) -> Rule:
    return Rule(4, "indicator_threshold", "orange", {"indicator": "QUALITY_PASS", **params})


def quality(values: dict[str, float], project_id: int = 1) -> pd.DataFrame:
    return observations((project_id, "QUALITY_PASS", values))


class TestIndicatorThreshold:
    @pytest.mark.parametrize(("values", "fires"), [
        ({"2026-05": 89.99}, True), ({"2026-05": 90.0}, False), ({"2026-04": 80.0, "2026-05": 95.0}, False),
    ])
    def test_below(self, values, fires):
        assert fired(run(threshold_rule(below=90), observations=quality(values))) == ([1] if fires else [])

    @pytest.mark.parametrize(("values", "fires"), [
        ({"2026-04": 89.0, "2026-05": 89.5}, True),
        ({"2026-04": 90.0, "2026-05": 89.5}, False),
        ({"2026-05": 89.5}, False),
    ])
    def test_k_consecutive_reports(self, values, fires):
        found = run(threshold_rule(below=90, periods=2), observations=quality(values))
        assert fired(found) == ([1] if fires else [])
        if fires:
            assert (found.at[0, "value"], found.at[0, "periods"], found.at[0, "period"]) == (89.5, 2, month("2026-05"))

    def test_months_without_a_report_are_skipped(self):
        values = {"2026-01": 70.0, "2026-03": 80.0, "2026-05": 85.0}  # a quarterly-ish indicator
        found = run(threshold_rule(below=90, periods=3), observations=quality(values))
        assert fired(found) == [1] and found.at[0, "periods"] == 3

    @pytest.mark.parametrize(("value", "fires"), [(0.0, False), (1.0, True)])
    def test_above(self, value, fires):
        rule = Rule(4, "indicator_threshold", "red", {"indicator": "SAFETY_INCIDENTS", "above": 0})
        found = run(rule, observations=observations((1, "SAFETY_INCIDENTS", {"2026-05": value})))
        assert fired(found) == ([1] if fires else [])

    @pytest.mark.parametrize(("value", "threshold"), [(59.9, 60.0), (60.0, None), (80.0, None), (80.1, 80.0)])
    def test_outside_band(self, value, threshold):
        found = run(threshold_rule(lower=60, upper=80), observations=quality({"2026-05": value}))
        assert found["threshold"].tolist() == ([] if threshold is None else [threshold])

    def test_other_indicators_do_not_count(self):
        frame = observations((1, "RESIDENT_SAT", {"2026-05": 10.0}), (1, "QUALITY_PASS", {"2026-04": 95.0}))
        assert fired(run(threshold_rule(below=90), observations=frame)) == []

    def test_indicator_never_observed(self):
        rule = Rule(4, "indicator_threshold", "red", {"indicator": "NO_SUCH", "below": 1})
        assert fired(run(rule, observations=quality({"2026-05": 0.0}))) == []

    def test_data_after_as_of_is_ignored(self):
        assert fired(run(threshold_rule(below=90), observations=quality({"2026-05": 95.0, "2026-07": 10.0}))) == []


    @settings(max_examples=100, deadline=None)
    @given(values=st.lists(st.one_of(st.none(), st.sampled_from([85.0, 89.9, 90.0, 95.0])), max_size=8),
           periods=st.integers(1, 4))
    def test_matches_a_report_by_report_walk(self, values, periods):
        """Reference: the last ``periods`` reports, skipping unreported months, are all below 90."""
        first = pd.Period("2025-11", "M")
        reported = {str(first + i): value for i, value in enumerate(values) if value is not None}
        found = run(threshold_rule(below=90, periods=periods), observations=quality(reported))
        last = list(reported.values())[-periods:]
        assert fired(found) == ([1] if len(last) == periods and all(v < 90 for v in last) else [])

# --- score_drop -----------------------------------------------------------------------------------------------

DROP = Rule(5, "score_drop", "yellow")


def scores(totals: dict[str, float], project_id: int = 1) -> pd.DataFrame:
    frame = pd.DataFrame({"project_id": project_id, "period": [month(m) for m in totals],
                          "total": list(totals.values())})
    return frame.astype({"period": "datetime64[us]", "total": "float64"})


class TestScoreDrop:
    @pytest.mark.parametrize(("latest", "fires"), [(70.0, False), (69.99, True), (90.0, False)])
    def test_drop_strictly_more_than_points(self, latest, fires):
        found = run(DROP, scores=scores({"2026-04": 80.0, "2026-05": latest}))
        assert fired(found) == ([1] if fires else [])
        if fires:
            assert found.at[0, "value"] == pytest.approx(10.01) and found.at[0, "period"] == month("2026-05")
            assert found.at[0, "detail"] == {"total": 69.99, "previous_total": 80.0, "previous_period": "2026-04-01"}

    def test_unscored_periods_are_skipped(self):
        found = run(DROP, scores=scores({"2026-03": 80.0, "2026-04": np.nan, "2026-05": 65.0, "2026-07": 99.0}))
        assert found["value"].tolist() == [15.0]
        assert found.at[0, "detail"]["previous_period"] == "2026-03-01"

    def test_each_project_compares_with_its_own_history(self):
        history = pd.concat([scores({"2026-04": 90.0}, project_id=1), scores({"2026-05": 50.0}, project_id=2),
                             scores({"2026-04": 60.0, "2026-05": 40.0}, project_id=3)])
        found = run(DROP, scores=history, project_frame=projects({"id": 1}, {"id": 2}, {"id": 3}))
        assert fired(found) == [3] and found["value"].tolist() == [20.0]

    def test_single_score_and_later_scores(self):
        assert fired(run(DROP, scores=scores({"2026-05": 10.0}))) == []
        assert fired(run(DROP, scores=scores({"2026-05": 80.0, "2026-07": 10.0}))) == []


# --- missing_report -------------------------------------------------------------------------------------------

MISSING = Rule(6, "missing_report", "red")


def reports(months: list[str], project_id: int = 1, code: str = "QUALITY_PASS") -> tuple:
    return project_id, code, dict.fromkeys(months, 1.0)


class TestMissingReport:
    @pytest.mark.parametrize(("months", "expected"), [
        (["2026-05"], None),
        (["2026-04"], 1),
        (["2026-04", "2026-06"], 1),  # the current month is not part of the window by default
        (["2026-02"], 3),
        (["2026-05", "2026-07"], None),
    ])
    def test_last_completed_month(self, months, expected):
        found = run(MISSING, observations=observations(reports(months)))
        assert found["value"].tolist() == ([] if expected is None else [float(expected)])
        if expected is not None:
            assert found.at[0, "periods"] == expected and pd.isna(found.at[0, "period"])
            assert found.at[0, "detail"]["window_start"] == found.at[0, "detail"]["window_end"] == "2026-05-01"

    @pytest.mark.parametrize(("last_report", "fires"), [("2026-02", True), ("2026-03", False)])
    def test_n_months(self, last_report, fires):
        rule = Rule(6, "missing_report", "red", {"periods": 3})
        found = run(rule, observations=observations(reports([last_report])))
        assert fired(found) == ([1] if fires else [])
        if fires:
            assert found.at[0, "detail"] == {"last_report": "2026-02-01", "window_start": "2026-03-01",
                                             "window_end": "2026-05-01"}

    @pytest.mark.parametrize(("months", "fires"), [(["2026-05"], True), (["2026-06"], False)])
    def test_include_current_month(self, months, fires):
        rule = Rule(6, "missing_report", "red", {"include_current_month": True})
        assert fired(run(rule, observations=observations(reports(months)))) == ([1] if fires else [])

    def test_window_crosses_the_year(self):
        obs = observations(reports(["2025-11"]))
        assert fired(run(MISSING, observations=obs, as_of=dt.date(2026, 1, 1))) == [1]
        assert fired(run(MISSING, observations=obs, as_of=dt.date(2025, 12, 31))) == []

    @pytest.mark.parametrize(("planned_start", "periods", "expected"), [
        (dt.date(2024, 1, 1), 1, 29.0),  # 2024-01 … 2026-05
        (dt.date(2026, 5, 20), 1, 1.0),  # May is its first month
        (dt.date(2026, 5, 20), 2, None),
        (dt.date(2026, 6, 1), 1, None),  # starts after the window
    ])
    def test_never_reported_counts_from_the_planned_start(self, planned_start, periods, expected):
        rule = Rule(6, "missing_report", "red", {"periods": periods})
        frame = projects({"id": 1, "planned_start": planned_start}, {"id": 2})
        found = run(rule, project_frame=frame, observations=observations(reports(["2026-05"], project_id=2)))
        assert found["value"].tolist() == ([] if expected is None else [expected])
        if expected is not None:
            assert found.at[0, "detail"]["last_report"] is None

    def test_without_planned_start_a_never_reporting_project_counts_the_window(self):
        frame = projects({"id": 1}).drop(columns="planned_start")
        found = run(Rule(6, "missing_report", "red", {"periods": 2}), project_frame=frame,
                    observations=observations(reports(["2026-05"], project_id=99)))
        assert found["value"].tolist() == [2.0]

    def test_planning_series_are_not_reports_unless_asked(self):
        obs = observations(reports(["2026-05"], code="PROG_PLAN"), reports(["2026-05"], code="SPEND_PLAN"))
        assert fired(run(MISSING, observations=obs)) == [1]
        rule = Rule(6, "missing_report", "red", {"exclude_indicators": []})
        assert fired(run(rule, observations=obs)) == []

    def test_specific_indicator(self):
        rule = Rule(6, "missing_report", "red", {"indicator": "RESIDENT_SAT"})
        obs = observations(reports(["2026-05"]), reports(["2026-04"], code="RESIDENT_SAT"))
        assert fired(run(rule, observations=obs)) == [1]
        assert fired(run(rule, observations=observations(reports(["2026-05"], code="RESIDENT_SAT")))) == []

    def test_a_report_without_a_value_is_no_report(self):
        assert fired(run(MISSING, observations=observations((1, "QUALITY_PASS", {"2026-05": np.nan})))) == [1]

    def test_only_active_projects(self):
        statuses = ["planned", "active", "suspended", "completed"]
        frame = projects(*({"id": i, "status": status} for i, status in enumerate(statuses)))
        assert fired(run(MISSING, project_frame=frame, observations=observations(reports(["2020-01"], 99)))) == [1]

    @settings(max_examples=100, deadline=None)
    @given(reported=st.lists(st.booleans(), min_size=0, max_size=14), window=st.integers(1, 5),
           start_offset=st.integers(-3, 16), current=st.booleans())
    def test_matches_a_month_by_month_count(self, reported, window, start_offset, current):
        """Reference: walk back month by month from the window's end to the last report or the planned start."""
        first = pd.Period("2025-05", "M")
        months = [str(first + i) for i, flag in enumerate(reported) if flag]
        start = first + start_offset
        frame = projects({"id": 1, "planned_start": start.to_timestamp().date()})
        rule = Rule(6, "missing_report", "red", {"periods": window, "include_current_month": current})
        found = run(rule, project_frame=frame, observations=observations(reports(months)))
        end = pd.Period(AS_OF, "M") - (0 if current else 1)
        missing, cursor = 0, end
        while cursor >= start and str(cursor) not in months:
            missing, cursor = missing + 1, cursor - 1
        assert found["value"].tolist() == ([float(missing)] if missing >= window else [])


# --- risk_above -------------------------------------------------------------------------------------------------

RISK = Rule(7, "risk_above", "orange", {"pct": 60})


def risks(late: dict[int, float], overrun: dict[int, float] | None = None) -> pd.DataFrame:
    """Predictions as services.risk hands them over: project_id, p_late, p_overrun (0–1)."""
    ids = sorted(late)
    return pd.DataFrame({"project_id": ids, "p_late": [late[i] for i in ids],
                         "p_overrun": [(overrun or {}).get(i, np.nan) for i in ids]})


class TestRiskAbove:
    FRAME = projects({"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}, {"id": 5, "status": "completed"})

    def test_fires_strictly_above_the_threshold_on_the_predicted_chance_and_never_without_one(self):
        found = run(RISK, project_frame=self.FRAME, risks=risks({1: 0.61, 2: 0.6, 3: 0.2, 5: 0.99}))
        assert fired(found) == [1]  # 60 % is on the threshold; 4 has no prediction; 5 is not under way
        assert found[["rule_type", "severity", "threshold", "periods"]].values.tolist() == [
            ["risk_above", "orange", 60.0, 1]]
        assert found["value"].round(6).tolist() == [61.0] and pd.isna(found.at[0, "period"])
        assert found.at[0, "detail"] == {"target": "late", "held_open": False}

    def test_reads_the_chance_of_overrunning_when_the_rule_says_so(self):
        rule = Rule(8, "risk_above", "red", {"target": "overrun", "pct": 30})
        found = run(rule, project_frame=self.FRAME, risks=risks({1: 0.9, 2: 0.1}, {1: 0.2, 2: 0.45}))
        assert fired(found) == [2] and found.at[0, "detail"]["target"] == "overrun"

    @pytest.mark.parametrize(("chance", "is_open", "fires"), [
        (0.58, False, False), (0.58, True, True),  # between pct − margin (55) and pct (60): held open
        (0.5501, True, True), (0.55, True, False),  # exactly pct − margin closes
        (0.3, True, False), (0.7, True, True),
    ])
    def test_an_open_risk_warning_closes_only_when_the_chance_falls_below_the_threshold_less_the_margin(
            self, chance, is_open, fires):
        found = run(RISK, risks=risks({1: chance}), open_alerts=[(7, 1)] if is_open else [])
        assert fired(found) == ([1] if fires else [])
        plan = reconcile(found, [(7, 1)] if is_open else [], rule_ids=[7])
        assert plan.to_close.values.tolist() == ([[7, 1]] if is_open and not fires else [])

    def test_needs_the_predictions(self):
        with pytest.raises(ValueError, match="risks must be passed"):
            run(RISK)

    @pytest.mark.parametrize(("params", "problem"), [
        ({"pct": 101}, "parameter 'pct' must be a percentage from 0 to 100, got 101"),
        ({"target": "delay"}, "parameter 'target' must be one of late, overrun, got 'delay'"),
        ({"recovery_margin": -1}, "parameter 'recovery_margin' must be a number ≥ 0, got -1"),
    ])
    def test_invalid_parameters_say_what_they_must_be(self, params, problem):
        with pytest.raises(ValueError, match=re.escape(f"rule 9 (risk_above): {problem}")):
            Rule(9, "risk_above", "red", params)
        assert Rule(9, "risk_above", "red").params == {"target": "late", "pct": 60.0, "recovery_margin": 5.0}


# --- scope and status -----------------------------------------------------------------------------------------

class TestScopeAndStatus:
    FRAME = projects({"id": 1, "region_path": "/1/4/", "category_code": "road"},
                     {"id": 2, "region_path": "/1/4/9/", "category_code": "park"},
                     {"id": 3, "region_path": "/1/40/", "category_code": "road"},
                     {"id": 4, "region_path": "/1/", "category_code": "road"},
                     {"id": 5, "region_path": None, "category_code": None})
    OVERDUE_EVERYWHERE = milestones(*({"id": 10 + i, "project_id": i, "planned_end": dt.date(2026, 1, 1)}
                                      for i in range(1, 6)))

    @pytest.mark.parametrize(("kind", "value", "expected"), [
        ("all", None, [1, 2, 3, 4, 5]),
        ("region", "/1/4/", [1, 2]),  # the subtree of /1/4/, not its sibling /1/40/
        ("region", "/1/4/9/", [2]),
        ("region", "/1/", [1, 2, 3, 4]),
        ("category", "road", [1, 3, 4]),
        ("category", "bridge", []),
    ])
    def test_scope(self, kind, value, expected):
        rule = Rule(3, "milestone_overdue", "yellow", scope_kind=kind, scope_value=value)
        assert fired(run(rule, project_frame=self.FRAME, milestones=self.OVERDUE_EVERYWHERE)) == expected

    STATUSES = ["planned", "active", "suspended", "completed"]

    @pytest.mark.parametrize(("rule", "expected"), [
        (BUDGET, ["active", "suspended"]),
        (LAG, ["active", "suspended"]),
        (threshold_rule(below=90), ["active", "suspended"]),
        (DROP, ["active", "suspended"]),
        (OVERDUE, ["planned", "active", "suspended"]),
        (MISSING, ["active"]),
        (RISK, ["active", "suspended"]),
    ], ids=lambda value: getattr(value, "rule_type", ""))
    def test_statuses_evaluated(self, rule, expected):
        frame = projects(*({"id": i, "status": status, "budget": 1.0} for i, status in enumerate(self.STATUSES)))
        everything_fires = [
            *(series for i in range(4) for series in spend(i, {"2026-04": 200.0}, {"2026-04": 100.0})),
            *(series for i in range(4) for series in progress(i, {"2026-03": 9.0, "2026-04": 9.0})),
            *((i, "QUALITY_PASS", {"2026-04": 50.0}) for i in range(4)),
        ]
        found = run(rule, project_frame=frame, observations=observations(*everything_fires),
                    milestones=milestones(*({"id": 10 + i, "project_id": i, "planned_end": dt.date(2026, 1, 1)}
                                            for i in range(4))),
                    scores=pd.concat([scores({"2026-04": 90.0, "2026-05": 10.0}, i) for i in range(4)]),
                    risks=risks(dict.fromkeys(range(4), 0.99)))
        assert [self.STATUSES[i] for i in fired(found)] == expected

    def test_projects_missing_from_the_frame_are_ignored(self):
        obs = observations(*spend(1, {"2026-05": 200.0}, {"2026-05": 100.0}),
                           *spend(7, {"2026-05": 200.0}, {"2026-05": 100.0}))
        assert fired(run(BUDGET, observations=obs)) == [1]


# --- hysteresis -----------------------------------------------------------------------------------------------

class TestHysteresis:
    """Open pairs stay on the condition relaxed by recovery_margin; pairs not open need the full condition."""

    @pytest.mark.parametrize(("spent", "is_open", "fires"), [
        (109.0, False, False), (109.0, True, True),  # between pct − margin (8) and pct (10)
        (108.01, True, True), (108.0, True, False),  # exactly pct − margin closes
        (111.0, False, True), (111.0, True, True),
    ])
    def test_budget_overrun(self, spent, is_open, fires):
        found = run(BUDGET, observations=observations(*spend(1, {"2026-05": spent}, {"2026-05": 100.0})),
                    open_alerts=[(1, 1)] if is_open else [])
        assert fired(found) == ([1] if fires else [])
        if fires:
            assert found.at[0, "detail"]["held_open"] is (spent <= 110)

    @pytest.mark.parametrize(("lags", "is_open", "expected"), [
        ({"2026-04": 6.0, "2026-05": 4.5}, False, None),
        ({"2026-04": 6.0, "2026-05": 4.5}, True, 2),  # held: 4.5 > 5 − 1, run of lags > 4
        ({"2026-04": 6.0, "2026-05": 4.0}, True, None),
        ({"2026-04": 1.0, "2026-05": 6.0}, True, 1),  # open: a single month suffices
        ({"2026-04": 6.0, "2026-05": 6.0}, True, 2),
    ])
    def test_progress_lag(self, lags, is_open, expected):
        found = run(LAG, observations=observations(*progress(1, lags)), open_alerts=[(2, 1)] if is_open else [])
        assert found["periods"].tolist() == ([] if expected is None else [expected])

    @pytest.mark.parametrize(("params", "value", "fires_if_open"), [
        ({"below": 90}, 91.99, True), ({"below": 90}, 92.0, False),
        ({"above": 90}, 88.01, True), ({"above": 90}, 88.0, False),
        ({"lower": 60, "upper": 80}, 61.99, True), ({"lower": 60, "upper": 80}, 62.0, False),
        ({"lower": 60, "upper": 80}, 78.01, True), ({"lower": 60, "upper": 80}, 78.0, False),
    ])
    def test_indicator_threshold(self, params, value, fires_if_open):
        rule = threshold_rule(**params, recovery_margin=2, periods=3)
        obs = quality({"2026-05": value})
        assert fired(run(rule, observations=obs)) == []
        found = run(rule, observations=obs, open_alerts=pd.DataFrame({"rule_id": [4], "project_id": [1]}))
        assert fired(found) == ([1] if fires_if_open else [])
        if fires_if_open:
            assert found.at[0, "detail"] == {"indicator": "QUALITY_PASS", "held_open": True}

    @pytest.mark.parametrize(("params", "value"), [({"below": 0.1}, 0.3), ({"above": 0.3}, 0.1)])
    def test_relaxed_limit_ignores_float_noise(self, params, value):
        # 0.1 + 0.2 = 0.30000000000000004 and 0.3 − 0.2 = 0.09999999999999998: the value is exactly on the limit
        found = run(threshold_rule(**params, recovery_margin=0.2), observations=quality({"2026-05": value}),
                    open_alerts=[(4, 1)])
        assert fired(found) == []

    def test_open_pairs_of_other_rules_or_projects_do_not_relax(self):
        obs = observations(*spend(1, {"2026-05": 109.0}, {"2026-05": 100.0}))
        assert fired(run(BUDGET, observations=obs, open_alerts=[(2, 1), (1, 2), ("1", 1)])) == []

    def test_rules_without_margin_ignore_open_pairs(self):
        assert fired(run(DROP, scores=scores({"2026-04": 80.0, "2026-05": 75.0}), open_alerts=[(5, 1)])) == []
        found = run(DROP, scores=scores({"2026-04": 80.0, "2026-05": 5.0}), open_alerts=[(5, 1)])
        assert "held_open" not in found.at[0, "detail"]


# --- validation -----------------------------------------------------------------------------------------------

class TestValidation:
    def test_defaults_are_filled_in_and_typed(self):
        assert Rule(1, "missing_report", "red", {"periods": 2.0}).params == {
            "periods": 2, "indicator": None, "include_current_month": False,
            "exclude_indicators": ("PROG_PLAN", "SPEND_PLAN")}
        assert Rule(1, "milestone_overdue", "red").params == {"days": 3}
        assert Rule(1, "score_drop", "red").params == {"points": 10.0}
        assert Rule(1, "budget_overrun", "red").params == {"pct": 10.0, "recovery_margin": 2.0}
        assert Rule(1, "indicator_threshold", "red", {"indicator": "X", "above": 3}).params == {
            "indicator": "X", "below": None, "above": 3.0, "lower": None, "upper": None, "periods": 1,
            "recovery_margin": 0.0}

    @pytest.mark.parametrize(("rule_type", "params", "message"), [
        ("budget_overrun", {"pct": -1}, "rule 9 (budget_overrun): parameter 'pct' must be a number ≥ 0, got -1"),
        ("budget_overrun", {"pct": "10"}, "parameter 'pct' must be a finite number, got '10'"),
        ("budget_overrun", {"pct": float("nan")}, "parameter 'pct' must be a finite number"),
        ("budget_overrun", {"pct": True}, "parameter 'pct' must be a finite number, got True"),
        ("budget_overrun", {"percent": 5}, "rule 9 (budget_overrun): unknown parameter(s) 'percent'; "
                                           "budget_overrun takes pct, recovery_margin"),
        ("progress_lag", {"periods": 0}, "parameter 'periods' must be a whole number ≥ 1, got 0"),
        ("progress_lag", {"periods": 1.5}, "parameter 'periods' must be a whole number ≥ 1, got 1.5"),
        ("milestone_overdue", {"days": -1}, "parameter 'days' must be a whole number ≥ 0, got -1"),
        ("indicator_threshold", {"below": 3}, "rule 9 (indicator_threshold): parameter 'indicator' is required"),
        ("indicator_threshold", {"indicator": "", "below": 3}, "parameter 'indicator' must be a non-empty"),
        ("indicator_threshold", {"indicator": "X"}, "parameters need exactly one of 'below', 'above', or both"),
        ("indicator_threshold", {"indicator": "X", "below": 1, "above": 2}, "(got below, above)"),
        ("indicator_threshold", {"indicator": "X", "lower": 1}, "(got lower)"),
        ("indicator_threshold", {"indicator": "X", "lower": 2, "upper": 1}, "need 'lower' ≤ 'upper'"),
        ("indicator_threshold", {"indicator": "X", "lower": 0, "upper": 4, "recovery_margin": 2.01},
         "'recovery_margin' ≤ half the band width"),
        ("missing_report", {"include_current_month": "yes"}, "parameter 'include_current_month' must be true or false"),
        ("missing_report", {"exclude_indicators": "PROG_PLAN"}, "parameter 'exclude_indicators' must be a list"),
    ])
    def test_parameter_errors_name_rule_and_parameter(self, rule_type, params, message):
        with pytest.raises(ValueError, match=re.escape(message)):
            Rule(9, rule_type, "red", params)

    def test_band_margin_of_exactly_half_the_width_is_allowed(self):
        assert Rule(9, "indicator_threshold", "red", {"indicator": "X", "lower": 0, "upper": 4,
                                                     "recovery_margin": 2}).params["recovery_margin"] == 2.0

    @pytest.mark.parametrize(("fields", "message"), [
        ({"rule_type": "budget"}, "rule 9: unknown rule_type 'budget'"),
        ({"severity": "blue"}, "rule 9 (score_drop): unknown severity 'blue'"),
        ({"scope_kind": "district"}, "unknown scope_kind 'district'"),
        ({"scope_value": "road"}, "scope 'all' takes no scope_value"),
        ({"scope_kind": "category"}, "scope 'category' needs a category code"),
        ({"scope_kind": "region", "scope_value": "/1/4"}, "scope 'region' needs a region path like '/1/4/'"),
        ({"scope_kind": "region", "scope_value": "/"}, "scope 'region' needs a region path"),
    ])
    def test_rule_field_errors(self, fields, message):
        with pytest.raises(ValueError, match=re.escape(message)):
            Rule(**{"id": 9, "rule_type": "score_drop", "severity": "red", **fields})

    def test_evaluate_input_errors(self):
        with pytest.raises(ValueError, match="rule ids must be unique; repeated: 5"):
            evaluate([DROP, DROP], projects=ONE_PROJECT, as_of=AS_OF, scores=scores({"2026-05": 1.0}))
        with pytest.raises(ValueError, match="milestones must be passed"):
            evaluate([OVERDUE], projects=ONE_PROJECT, as_of=AS_OF)
        with pytest.raises(ValueError, match="observations lacks column.*'value'"):
            evaluate([LAG], projects=ONE_PROJECT, as_of=AS_OF, observations=observations().drop(columns="value"))
        with pytest.raises(ValueError, match="projects has duplicate ids"):
            evaluate([DROP], projects=projects({"id": 1}, {"id": 1}), as_of=AS_OF, scores=scores({}))
        with pytest.raises(ValueError, match="projects lacks column.*'region_path'"):
            evaluate([Rule(1, "score_drop", "red", scope_kind="region", scope_value="/1/")],
                     projects=ONE_PROJECT.drop(columns="region_path"), as_of=AS_OF, scores=scores({}))


# --- output ---------------------------------------------------------------------------------------------------

class TestOutput:
    def test_columns_types_order_and_json_details_across_all_rule_types(self):
        frame = projects({"id": 30, "budget": 1.0}, {"id": 40}, {"id": 20}, {"id": 10})
        obs = observations(*spend(30, {"2026-05": 120.0}, {"2026-05": 100.0}),
                           *spend(10, {"2026-05": 120.0}, {"2026-05": 100.0}),
                           *progress(20, {"2026-04": 9.0, "2026-05": 9.0}),
                           (10, "QUALITY_PASS", {"2026-03": 50.0}))
        rules = [Rule("f", "missing_report", "red"), Rule("a", "budget_overrun", "red"),
                 Rule("b", "progress_lag", "orange"), Rule("c", "milestone_overdue", "yellow"),
                 Rule("d", "indicator_threshold", "orange", {"indicator": "QUALITY_PASS", "below": 90}),
                 Rule("e", "score_drop", "yellow")]
        found = evaluate(rules, projects=frame, as_of=AS_OF, observations=obs,
                         milestones=milestones({"id": 1, "project_id": 20, "planned_end": dt.date(2026, 1, 1)}),
                         scores=scores({"2026-04": 80.0, "2026-05": 50.0}, project_id=30))
        assert tuple(found.columns) == FINDING_COLUMNS
        assert list(zip(found["rule_id"], found["project_id"], strict=True)) == [
            ("a", 10), ("a", 30), ("b", 20), ("c", 20), ("d", 10), ("e", 30), ("f", 40)]
        assert found["rule_type"].tolist() == ["budget_overrun"] * 2 + [
            "progress_lag", "milestone_overdue", "indicator_threshold", "score_drop", "missing_report"]
        assert found["project_id"].dtype == np.int64 and found["periods"].dtype == np.int64
        assert found["value"].dtype == np.float64 and found["threshold"].dtype == np.float64
        assert found["period"].dtype.kind == "M"
        assert found["period"].isna().tolist() == [False, False, False, True, False, False, True]
        for detail in found["detail"]:
            json.dumps(detail, allow_nan=False)
        assert found.at[1, "detail"]["over_budget"] is True

    def test_no_findings_has_the_columns(self):
        found = evaluate([DROP], projects=ONE_PROJECT, as_of=AS_OF, scores=scores({"2026-05": 1.0}))
        assert tuple(found.columns) == FINDING_COLUMNS and found.empty
        assert tuple(evaluate([], projects=ONE_PROJECT, as_of=AS_OF).columns) == FINDING_COLUMNS

    def test_accepts_object_columns_and_timestamps(self):
        frame = projects({"id": 1, "region_path": "/1/4/"}).astype({"region_path": object, "status": object})
        obs = observations(*spend(1, {"2026-05": 120.0}, {"2026-05": 100.0}))
        obs["period"] = obs["period"].dt.date  # plain dates, object dtype
        obs["indicator_code"] = obs["indicator_code"].astype(object)
        found = evaluate([Rule(1, "budget_overrun", "red", scope_kind="region", scope_value="/1/")],
                         projects=frame, as_of=pd.Timestamp(AS_OF), observations=obs)
        assert fired(found) == [1] and found.at[0, "period"] == month("2026-05")


# --- reconcile ------------------------------------------------------------------------------------------------

class TestReconcile:
    def test_splits_findings_and_closes_only_evaluated_rules(self):
        findings = pd.DataFrame({"rule_id": [1, 1, 2], "project_id": [10, 11, 10], "value": [1.0, 2.0, 3.0]})
        plan = reconcile(findings, [(1, 11), (1, 12), (2, 10), (3, 10), (1, 11)], rule_ids=[1, 2])
        assert plan.to_open[["rule_id", "project_id"]].values.tolist() == [[1, 10]]
        assert plan.to_keep[["rule_id", "project_id", "value"]].values.tolist() == [[1, 11, 2.0], [2, 10, 3.0]]
        assert plan.to_close.values.tolist() == [[1, 12]]  # rule 3 was not evaluated: left open

    def test_open_alerts_as_a_frame_and_nothing_open(self):
        findings = evaluate([DROP], projects=ONE_PROJECT, as_of=AS_OF, scores=scores({"2026-04": 80.0, "2026-05": 5.0}))
        plan = reconcile(findings, [], rule_ids=[5])
        assert len(plan.to_open) == 1 and plan.to_keep.empty and plan.to_close.empty
        open_frame = pd.DataFrame({"rule_id": [5], "project_id": [1], "alert_id": [77]})
        plan = reconcile(findings.iloc[:0], open_frame, rule_ids=[5])
        assert plan.to_close.values.tolist() == [[5, 1]]
