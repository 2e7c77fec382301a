"""The demo generator: deterministic, and its data obeys the invariants users rely on."""
import datetime as dt
import hashlib

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access.demo.generator import build, generate
from data_access.migrate import upgrade
from data_access.models import Observation, Project, Rating, RatingRound
from scoring.geo import haversine_km
from tests.conftest import SMALL_DEMO


@pytest.fixture(scope="module")
def demo():
    return build(projects=300, months=24, seed=11, until=dt.date(2026, 11, 1))


def test_same_seed_gives_identical_data(demo):
    again = build(projects=300, months=24, seed=11, until=dt.date(2026, 11, 1))
    for name, rows in demo.tables.items():
        if name != "users":  # bcrypt salts differ by design; everything else must not
            assert rows == again.tables[name], name
    for column, values in demo.observations.items():
        assert np.array_equal(values, again.observations[column]), column


FINGERPRINT_DECIMALS = 6  # far above a float's last bit, far below any figure a user sees


def _steady(value: object) -> object:
    """A float to :data:`FINGERPRINT_DECIMALS` places: numpy picks its SIMD kernels (sin, exp …) by the CPU's
    features, so the last bits of a coordinate or a distance differ between an AVX-512 machine and an AMD EPYC
    one while the demo is the same."""
    return round(value, FINGERPRINT_DECIMALS) if isinstance(value, float) else value


def _fingerprint(demo, *, blank: frozenset[str] = frozenset()) -> str:
    """The sha256 of every row (users without their salted password hash, the columns ``blank`` as None) and
    every observation column, floats to :data:`FINGERPRINT_DECIMALS` places."""
    digest = hashlib.sha256()
    for _, rows in sorted(demo.tables.items()):
        for row in rows:
            digest.update(repr([(key, None if key in blank else _steady(value)) for key, value in row.items()
                                if key != "password_hash"]).encode())
    for column, values in demo.observations.items():
        steady = np.round(values, FINGERPRINT_DECIMALS) if values.dtype.kind == "f" else values
        digest.update(column.encode() + values.dtype.str.encode() + steady.tobytes())
    return digest.hexdigest()


def test_a_seed_gives_the_same_rows_as_it_always_has(demo):
    """The fingerprint of every row and every observation column. It changes only when the demo data is meant
    to change: then update it here."""
    assert _fingerprint(demo) == "bbca8221d1e97ac9b231435c2152482669bb82fe8b32f4907c4f9aac2d0625b5"


def test_the_managers_notes_change_no_other_row_or_figure(demo):
    """Without the reports' notes and the values' reasons the rows are those before the demo had notes."""
    assert _fingerprint(demo, blank=frozenset({"note", "reason"})) == (
        "7694bedd7a7ece4fd9ec72074644685ce7508d997ec3090d21d59c7b43ce45d1")


def test_another_seed_gives_other_data(demo):
    other = build(projects=300, months=24, seed=12, until=dt.date(2026, 11, 1))
    assert not np.array_equal(demo.observations["value"][:1000], other.observations["value"][:1000])


def test_every_project_lies_inside_its_region(demo):
    regions = {row["id"]: row for row in demo.tables["regions"]}
    projects = pd.DataFrame(demo.tables["projects"])
    centre = projects["region_id"].map(lambda r: (regions[r]["lat"], regions[r]["lon"], regions[r]["radius_km"]))
    distance = haversine_km(projects["lat"], projects["lon"], centre.str[0], centre.str[1])
    assert (distance <= centre.str[2]).all()


def test_dates_are_ordered_and_statuses_fit_them(demo):
    projects = pd.DataFrame(demo.tables["projects"])
    assert (projects["planned_start"] <= projects["planned_end"]).all()
    started = projects.dropna(subset=["actual_start"])
    done = projects.dropna(subset=["actual_end"])
    assert (done["actual_start"] <= done["actual_end"]).all()
    assert set(done["status"]) == {"completed"}
    assert set(projects.loc[projects["actual_start"].isna(), "status"]) == {"planned"}
    assert {"active", "completed", "planned", "suspended"} <= set(projects["status"])
    assert len(started) > 0.8 * len(projects)
    milestones = pd.DataFrame(demo.tables["milestones"])
    assert (milestones["planned_start"] <= milestones["planned_end"]).all()


def _series(demo, code):
    indicator_id = next(r["id"] for r in demo.tables["indicators"] if r["code"] == code)
    obs = pd.DataFrame(demo.observations)
    return obs[obs["indicator_id"] == indicator_id]


def test_actual_progress_stays_within_0_and_100_and_never_goes_back(demo):
    progress = _series(demo, "PROG_ACTUAL")
    assert progress["value"].between(0, 100).all()
    assert progress.sort_values("period").groupby("project_id")["value"].apply(
        lambda v: bool(np.all(np.diff(v.to_numpy()) >= 0))).all()


def test_some_projects_slip_overrun_or_stop_reporting(demo):
    profiles = pd.Series(demo.p["profile"]).value_counts()
    assert {"slipping", "overrun", "recovering", "silent"} <= set(profiles.index)
    latest = _series(demo, "BUDGET_EXEC")
    latest = latest[latest["period"] == latest["period"].max()]
    assert (latest["value"] > 110).any(), "some project should be more than 10 % over its spend plan"
    reported_last_month = set(latest["project_id"])
    silent = {i + 1 for i, p in enumerate(demo.p["profile"]) if p == "silent" and demo.p["status"][i] == "active"}
    assert silent and not silent & reported_last_month


def test_every_district_has_an_official_and_there_is_a_user_per_role(demo):
    users = pd.DataFrame(demo.tables["users"])
    assert {"admin", "leader", "analyst", "district_official", "project_manager", "auditor"} <= set(users["role"])
    districts = {r["id"] for r in demo.tables["regions"] if r["level"] == "district"}
    assert set(users.loc[users["role"] == "district_official", "region_id"]) == districts


def test_library_has_three_levels_and_thirty_kpis(demo):
    indicators = pd.DataFrame(demo.tables["indicators"])
    assert indicators.groupby("level").size().to_dict() == {1: 6, 2: 10, 3: 30}


def test_dense_mode_gives_every_indicator_every_month():
    dense = build(projects=20, months=6, seed=1, until=dt.date(2026, 11, 1), dense=True)
    obs = pd.DataFrame(dense.observations)
    per_project = obs.groupby("project_id")["indicator_id"].nunique()
    assert (per_project == 30).all()
    assert obs.groupby(["project_id", "indicator_id"]).size().max() == 6


def test_seeding_writes_the_same_rows_on_both_databases(seeded_engine):
    expected = build(**SMALL_DEMO)
    with seeded_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Project)).scalar() == SMALL_DEMO["projects"]
        assert connection.execute(select(func.count()).select_from(Observation)).scalar() == \
            len(expected.observations["value"])
        total = connection.execute(select(func.sum(Observation.value))).scalar()
    assert total == pytest.approx(float(expected.observations["value"].sum()), rel=1e-12)


@pytest.mark.parametrize("month", range(1, 13))
def test_the_demo_builds_in_every_month_of_the_year_with_each_rating_given_once(month):
    """``make run`` seeds up to the current month: in a quarter's last month that month is both a past quarter
    and the open round's, and on 1 December 2026 seeding failed on a rating given twice."""
    until = dt.date(2026, month, 1)
    ratings = pd.DataFrame(build(projects=20, months=6, seed=1, until=until).tables["ratings"])
    assert not ratings.duplicated(["project_id", "period", "dimension", "rater_id"]).any()
    assert ratings["period"].max() == until


def test_seeding_in_a_quarters_last_month_closes_the_past_quarters_and_opens_this_one(empty_engine):
    upgrade(empty_engine)
    generate(empty_engine, projects=20, months=6, seed=1, until=dt.date(2026, 12, 1), history=0)
    with empty_engine.connect() as connection:
        rounds = connection.execute(select(RatingRound.period, RatingRound.status)
                                    .order_by(RatingRound.id)).all()
        assert connection.execute(select(func.count()).select_from(Rating)).scalar() > 0
    assert [tuple(r) for r in rounds] == [
        (dt.date(2026, 9, 1), "closed"), (dt.date(2026, 12, 1), "open")]
