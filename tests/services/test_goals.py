"""The target tree with its progress, on the small demo's tourism OKR (Tongxu County, objective 184)."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from services.goals import branch, filter_tree, goal_tree, with_progress
from tests.conftest import as_viewer

AS_OF = dt.date(2026, 11, 29)


def test_the_tourism_okr_rolls_up_its_key_results_by_weight(shared_seeded_engine):
    tree = goal_tree(shared_seeded_engine, as_viewer(shared_seeded_engine, "official_tongxu"), as_of=AS_OF)
    node = tree.set_index("id")
    facility = min(node.loc[185, "value"] / 90.0, 1.0)
    campaign = min(node.loc[186, "value"] / 5.0, 1.0)
    assert node.loc[185, "progress"] == pytest.approx(facility)
    assert node.loc[186, "progress"] == pytest.approx(campaign)
    assert node.loc[184, "progress"] == pytest.approx(0.6 * facility + 0.4 * campaign)
    assert node.loc[184, "coverage"] == 1.0
    assert node.loc[185, "status"] == ("done" if facility == 1.0 else "overdue")  # due 31 Oct 2026
    assert not node.loc[1, "in_scope"]
    assert np.isnan(node.loc[1, "progress"]) and node.loc[1, "status"] is None  # context: no partial figure
    assert node.loc[1, "depth"] == 0 and node.loc[184, "depth"] == 1 and node.loc[185, "depth"] == 2


def _nodes():
    return pd.DataFrame({
        "id": [1, 2, 3], "parent_id": [np.nan, 1, 1], "weight": [1.0, 1.0, 3.0], "in_scope": [True, True, True],
        "value": [np.nan, 45.0, np.nan], "baseline_value": [np.nan, 0.0, 0.0], "target_value": [np.nan, 90.0, 5.0],
        "direction": [None, "higher", "higher"], "period": ["2026", "2026", "2026-07"],
        "due_date": [dt.date(2026, 12, 31), dt.date(2026, 12, 31), None],
        "owner_id": [5, 7, 7], "region_path": ["/1/", "/1/2/", "/1/3/"]})


def test_with_progress_leaves_out_unmeasured_children_and_reports_coverage():
    tree = with_progress(_nodes(), dt.date(2026, 7, 2)).set_index("id")
    assert tree["progress"].tolist()[:2] == [0.5, 0.5] and np.isnan(tree.loc[3, "progress"])
    assert tree.loc[1, "coverage"] == 0.25  # one of four weight measured
    # 2 July: 182 of 364 days gone, half done: on track; 3 has no data
    assert tree["status"].tolist() == ["on_track", "on_track", "no_data"]


def test_filters_and_branches_keep_the_right_nodes():
    nodes = _nodes()
    assert filter_tree(nodes, owner_id=7)["id"].tolist() == [2, 3]
    assert filter_tree(nodes, region_path="/1/2/")["id"].tolist() == [2]
    assert filter_tree(nodes, owner_id=7, region_path="/1/3/")["id"].tolist() == [3]
    assert branch(nodes, 1)["id"].tolist() == [1, 2, 3]
    assert branch(nodes, 3)["id"].tolist() == [3]
    assert branch(nodes, 99).empty
