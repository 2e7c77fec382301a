"""The portfolio figures pages share, on small hand-made frames: the district roll-up and the district league."""
import datetime as dt
import math

import pandas as pd
import pytest
from sqlalchemy import update

from data_access import latest_period, list_milestones, list_projects
from data_access.models import Milestone
from scoring.periods import add_months
from services.portfolio import (
    by_district,
    district_kpi_means,
    district_league,
    mean_score_trend,
    on_time_milestone_rate,
    trend_from_district_totals,
)
from services.scores import period_scores
from tests.conftest import as_viewer

REGIONS = pd.DataFrame({"id": [10, 20, 30], "name_zh": ["东区", "西区", "北区"], "lat": [34.1, 34.2, 34.3],
                        "lon": [114.1, 114.2, 114.3]})


def _projects(rows):
    return pd.DataFrame(rows, columns=["code", "district_id", "budget", "total", "open_warnings"])


CURRENT = _projects([
    ("P1", 10, 100.0, 90.0, 1), ("P2", 10, 300.0, 60.0, 2), ("P6", 10, 25.0, None, 0),  # unscored: counted only
    ("P3", 20, 50.0, 85.0, 0),
    ("P4", 30, 20.0, None, 3),  # a district with no scored project
    ("P5", 99, 10.0, 50.0, 0),  # a region the viewer's list does not hold
])


def test_by_district_counts_every_project_and_averages_only_the_scored_ones():
    districts = by_district(CURRENT, REGIONS, "name_zh")
    assert districts["id"].tolist() == [10, 20, 30]
    assert districts["name"].tolist() == ["东区", "西区", "北区"]
    assert districts["projects"].tolist() == [3, 1, 1]
    assert districts["budget"].tolist() == [425.0, 50.0, 20.0]
    assert districts["mean_score"].tolist()[:2] == [75.0, 85.0] and math.isnan(districts["mean_score"].iloc[2])
    assert districts["warnings"].tolist() == [3, 0, 3]
    assert districts[["lat", "lon"]].to_numpy().tolist() == [[34.1, 114.1], [34.2, 114.2], [34.3, 114.3]]


def test_by_district_of_a_month_without_scores_has_no_means_and_no_error():
    unscored = CURRENT.assign(total=[None] * len(CURRENT)).astype({"total": object})
    districts = by_district(unscored, REGIONS, "name_zh")
    assert districts["projects"].tolist() == [3, 1, 1]
    assert districts["mean_score"].isna().all()


def test_the_district_league_ranks_grades_and_compares_with_the_month_before():
    previous = _projects([("P1", 10, 100.0, 80.0, 0), ("P4", 30, 20.0, None, 0)])
    league = district_league(CURRENT, previous, REGIONS, "name_zh")
    assert league["id"].tolist() == [20, 10, 30]  # best first, the unscored district last
    assert league["rank"].tolist()[:2] == [1, 2] and pd.isna(league["rank"].iloc[2])
    assert league["grade"].astype(object).tolist()[:2] == ["良好", "合格"] and pd.isna(league["grade"].iloc[2])
    assert math.isnan(league["previous_score"].iloc[0])  # 西区 had no scored project the month before
    assert league["previous_score"].iloc[1] == 80.0
    assert math.isnan(league["previous_score"].iloc[2])


def test_the_district_league_without_a_month_before_has_no_previous_scores():
    league = district_league(CURRENT, CURRENT.iloc[0:0], REGIONS, "name_zh")
    assert league["mean_score"].tolist()[:2] == [85.0, 75.0]
    assert league["previous_score"].isna().all()


def test_district_kpi_means_average_values_and_targets_over_each_districts_projects():
    matrix = pd.DataFrame({"A": [10.0, 20.0, 30.0], "B": [None, None, 5.0], "C": [1.0, 2.0, 3.0],
                           "E": [None, None, None]}, index=[1, 2, 3])
    targets = pd.DataFrame({"A": [12.0, 18.0, 25.0], "B": [4.0, None, 6.0]}, index=[1, 2, 3])
    districts = pd.Series([10, 10, 20], index=[1, 2, 3])
    values, goals = district_kpi_means(matrix, targets, districts, ["B", "A", "D", "E"])
    assert values.columns.tolist() == ["B", "A"]  # the KPIs' order; C is not a KPI, D and E have no value
    assert values.index.tolist() == [10, 20]
    assert math.isnan(values.at[10, "B"]) and values.at[20, "B"] == 5.0
    assert values["A"].tolist() == [15.0, 30.0]
    assert goals.columns.tolist() == ["B", "A"] and goals.index.tolist() == [10, 20]
    assert goals["B"].tolist() == [4.0, 6.0] and goals["A"].tolist() == [15.0, 25.0]


def test_the_trend_from_district_sums_is_the_mean_over_scored_projects_of_the_month():
    october, november = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
    parts = pd.DataFrame({"period": [october, october, november, november],
                          "district_id": [10, 20, 10, 20], "city_id": [1, 2, 1, 2],
                          "total": [170.0, 85.0, 0.0, 90.0], "scored": [2, 1, 0, 1]})
    trend = trend_from_district_totals(parts)
    assert trend["score"].tolist() == [85.0, 90.0]  # (170 + 85) / 3; November: district 10 scored nothing
    city_one = trend_from_district_totals(parts, city=1)
    assert city_one["score"].iloc[0] == 85.0 and math.isnan(city_one["score"].iloc[1])


@pytest.mark.parametrize("username", ["leader", "official_longting"])
def test_the_score_trend_is_each_months_mean_project_score(shared_seeded_engine, username):
    viewer = as_viewer(shared_seeded_engine, username)
    last = latest_period(shared_seeded_engine, viewer)
    trend = mean_score_trend(shared_seeded_engine, viewer, last, months=3).set_index("period")["score"]
    for month in (add_months(last, -2), last):
        totals = period_scores(shared_seeded_engine, viewer, month)["total"]
        assert trend[pd.Timestamp(month)] == pytest.approx(totals.mean(), abs=1e-9)


def test_the_on_time_rate_counts_the_milestones_due_and_those_ended_by_their_planned_end(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    project = int(list_projects(seeded_engine, official)["id"].iloc[0])
    ids = [int(i) for i in list_milestones(seeded_engine, official, project_id=project)["id"]]
    assert len(ids) >= 4
    plans = [(dt.date(2026, 1, 31), dt.date(2026, 1, 20)),  # ended early: on time
             (dt.date(2026, 2, 28), dt.date(2026, 3, 5)),  # ended late
             (dt.date(2026, 3, 31), None),  # due, not ended
             *[(dt.date(2027, 6, 30), None)] * (len(ids) - 3)]  # not due yet
    with seeded_engine.begin() as connection:
        for milestone, (planned_end, actual_end) in zip(ids, plans, strict=True):
            connection.execute(update(Milestone).where(Milestone.id == milestone)
                               .values(planned_end=planned_end, actual_end=actual_end))
    only = pd.Index([project])
    assert on_time_milestone_rate(seeded_engine, official, only, dt.date(2026, 4, 30)) == pytest.approx(100 / 3)
    assert on_time_milestone_rate(seeded_engine, official, only, dt.date(2026, 2, 28)) == 50.0
    assert math.isnan(on_time_milestone_rate(seeded_engine, official, only, dt.date(2026, 1, 30)))  # nothing due
    gulou = as_viewer(seeded_engine, "official_gulou")  # another district's official counts nothing of it
    assert math.isnan(on_time_milestone_rate(seeded_engine, gulou, only, dt.date(2026, 4, 30)))


@pytest.mark.parametrize("as_of", [dt.date(2026, 6, 30), dt.date(2026, 11, 30)])
def test_the_on_time_rate_of_a_scope_is_the_share_of_its_milestone_rows(shared_seeded_engine, as_of):
    leader = as_viewer(shared_seeded_engine, "leader")
    projects = list_projects(shared_seeded_engine, leader)["id"]
    chosen = pd.Index(projects.iloc[::2])  # half the projects, as a filtered page asks
    rows = list_milestones(shared_seeded_engine, leader)
    rows = rows[rows["project_id"].isin(chosen) & (pd.to_datetime(rows["planned_end"]) <= pd.Timestamp(as_of))]
    expected = (pd.to_datetime(rows["actual_end"]) <= pd.to_datetime(rows["planned_end"])).mean() * 100
    assert len(rows) > 10
    assert on_time_milestone_rate(shared_seeded_engine, leader, chosen, as_of) == pytest.approx(expected, abs=1e-12)
