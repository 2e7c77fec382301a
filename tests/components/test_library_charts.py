"""The default-weight sunburst: each live KPI's share, hand-computed, and names shown as text."""
import pandas as pd
import pytest

from components.library_charts import default_weight_shares, weight_sunburst

LIBRARY = pd.DataFrame([
    # id, code, parent, level, dimension, weight, scored, retired, name_zh, name_en
    (1, "DIM_A", None, 1, "a", 0.6, True, None, "甲", "A <b>"),
    (2, "DIM_B", None, 1, "b", 0.4, True, None, "乙", "B"),
    (3, "GRP_A", 1, 2, "a", 1.0, False, None, "甲组", "A group"),
    (4, "GRP_B", 2, 2, "b", 1.0, False, None, "乙组", "B group"),
    (5, "KPI_A1", 3, 3, "a", 3.0, True, None, "甲一", "A1"),
    (6, "KPI_A2", 3, 3, "a", 1.0, True, None, "甲二", "A2"),
    (7, "KPI_B1", 4, 3, "b", 2.0, True, None, "乙一", "B1"),
    (8, "KPI_B2", 4, 3, "b", 5.0, True, pd.Timestamp("2026-11-01"), "乙二", "B2"),  # retired
    (9, "TRACK", 4, 3, "b", 0.0, False, None, "跟踪", "Track"),  # not scored
], columns=["id", "code", "parent_id", "level", "dimension", "default_weight", "scored", "retired_at", "name_zh",
            "name_en"])


def test_shares_split_each_dimension_among_its_live_scored_kpis():
    shares = default_weight_shares(LIBRARY)
    assert shares.to_dict() == pytest.approx({"KPI_A1": 0.45, "KPI_A2": 0.15, "KPI_B1": 0.4})


def test_the_sunburst_sums_children_into_parents_and_escapes_names():
    trace = weight_sunburst(LIBRARY, "en").data[0]
    values = dict(zip(trace.ids, trace.values, strict=True))
    assert values == pytest.approx({"1": 60.0, "2": 40.0, "3": 60.0, "4": 40.0, "5": 45.0, "6": 15.0, "7": 40.0})
    assert dict(zip(trace.ids, trace.parents, strict=True))["5"] == "3"
    assert trace.labels[0] == "A &lt;b&gt;"
    assert trace.branchvalues == "total"
