"""services.allocation: the scorecards' scores go in, the pool comes out exactly, the what-if moves it."""
import dataclasses

import pandas as pd
import pytest

from data_access import list_regions, list_weight_schemes, schemes
from data_access.errors import PermissionDenied
from scoring.allocation import AllocationRules
from services import allocation
from services.scores import period_scores
from tests.conftest import as_viewer

RULES = AllocationRules(pool_fen=500_000_000, threshold=60.0, project_cap_fen=50_000_000,
                        district_cap_fen=150_000_000)


def test_the_allocation_uses_the_scorecards_scores_and_shares_out_the_pool(shared_seeded_engine):
    analyst = as_viewer(shared_seeded_engine, "analyst")
    result = allocation.load(shared_seeded_engine, analyst, None, RULES)
    scores = period_scores(shared_seeded_engine, analyst)
    lines = result.lines
    assert lines["score"].dropna().to_dict() == scores["total"].dropna().to_dict()
    assert lines["grade"].dropna().to_dict() == scores["grade"].dropna().astype(object).to_dict()
    assert lines["final_fen"].sum() + result.unallocated_fen == 500_000_000
    assert result.districts["final_fen"].sum() == lines["final_fen"].sum()
    assert (result.districts["final_fen"] <= 150_000_000).all() and (lines["final_fen"] <= 50_000_000).all()
    assert lines["district_name_zh"].notna().all() and result.districts["name_zh"].notna().all()


def test_a_higher_threshold_moves_money_and_the_change_is_shown(shared_seeded_engine):
    analyst = as_viewer(shared_seeded_engine, "analyst")
    projects = allocation.scored_projects(shared_seeded_engine, analyst, None)
    regions = list_regions(shared_seeded_engine, analyst)
    base = allocation.compute(projects, regions, RULES)
    raised = allocation.compute(projects, regions, dataclasses.replace(RULES, threshold=85.0))
    moved = allocation.what_if(base, raised)
    dropped = base.lines.index[(base.lines["score"] >= 60) & (base.lines["score"] < 85)
                               & (base.lines["final_fen"] > 0)]
    assert len(dropped) and (moved.project_change.loc[dropped] == -base.lines.loc[dropped, "final_fen"]).all()
    assert moved.project_change.sum() == base.unallocated_fen - raised.unallocated_fen
    assert moved.district_change.sum() == moved.project_change.sum()


def test_another_weight_scheme_rescores_through_the_dashboards_path(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    saved = schemes.save_scenario(seeded_engine, analyst, name="只看进度", weights={
        "progress": (1.0, {"PROG_RATIO": 1.0})})
    default_id = int(list_weight_schemes(seeded_engine, analyst).query("is_default")["id"].iloc[0])
    base = allocation.scored_projects(seeded_engine, analyst, None, default_id)
    other = allocation.scored_projects(seeded_engine, analyst, None, saved.id)
    assert (base["score"] != other["score"]).any()
    assert other.attrs["period"] == base.attrs["period"]


def test_an_official_cannot_compute_a_city_wide_allocation(shared_seeded_engine):
    with pytest.raises(PermissionDenied):
        allocation.scored_projects(shared_seeded_engine, as_viewer(shared_seeded_engine, "official_longting"), None)


def test_two_proposals_compare_per_district():
    first = pd.DataFrame({"district_id": [1, 1, 2], "final_fen": [100, 50, 30]}, index=[11, 12, 13])
    second = pd.DataFrame({"district_id": [1, 3], "final_fen": [120, 60]}, index=[11, 14])
    compared = allocation.compare_proposals(first, second)
    assert compared.to_dict("index") == {1: {"first_fen": 150, "second_fen": 120, "change_fen": -30},
                                         2: {"first_fen": 30, "second_fen": 0, "change_fen": -30},
                                         3: {"first_fen": 0, "second_fen": 60, "change_fen": 60}}
