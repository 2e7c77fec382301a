import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.goal_progress import leaf_progress, period_start, roll_up, statuses


def _leaf(value, baseline, target, direction="higher"):
    return leaf_progress(pd.Series([value], dtype=float), pd.Series([baseline], dtype=float),
                         pd.Series([target], dtype=float), pd.Series([direction])).iloc[0]


def test_a_leaf_measures_the_way_from_baseline_to_target():
    assert _leaf(71.119, 0.0, 90.0) == pytest.approx(0.790211, abs=1e-6)  # the seeded facility upgrade
    assert _leaf(13.0, 10.0, 15.0) == pytest.approx(0.6)  # 3 of the 5 points from baseline to target
    assert _leaf(6.911286, None, 5.0) == 1.0  # beyond the target: clipped to 100 %
    assert _leaf(8.0, 10.0, 15.0) == 0.0  # below the baseline: clipped to 0 %
    assert np.isnan(_leaf(None, 0.0, 5.0))  # no observation: no progress
    assert np.isnan(_leaf(3.0, 0.0, None))  # no target: nothing to measure against


def test_a_lower_is_better_indicator_goes_down_from_its_baseline_or_is_a_ceiling():
    assert _leaf(14.0, 20.0, 12.0, "lower") == pytest.approx(0.75)  # 6 of the 8 points down
    assert _leaf(22.0, 20.0, 12.0, "lower") == 0.0
    assert _leaf(2.0, 0.0, 3.0, "lower") == 1.0  # cost variance ≤ 3 % with no baseline: met
    assert _leaf(3.5, 0.0, 3.0, "lower") == 0.0  # ... exceeded


def test_the_seeded_tourism_okr_rolls_up_by_weight():
    # objective 1 with KRs: facility upgrade 71.119 % of 90 % (weight 0.6), campaign 6.91 of 5 万人次 (0.4)
    kr = leaf_progress(pd.Series([71.119, 6.911286]), pd.Series([0.0, 0.0]), pd.Series([90.0, 5.0]),
                       pd.Series(["higher", "higher"]))
    tree = pd.DataFrame({"id": [1, 2, 3], "parent_id": [None, 1, 1], "weight": [1.0, 0.6, 0.4],
                         "leaf_progress": [0.2, *kr]})
    rolled = roll_up(tree)
    assert rolled["progress"].tolist() == pytest.approx([0.6 * 71.119 / 90 + 0.4, 71.119 / 90, 1.0])
    assert rolled["progress"].iloc[0] == pytest.approx(0.874127, abs=1e-6)  # its own 0.2 is not used
    assert rolled["coverage"].tolist() == [1.0, 1.0, 1.0]
    assert rolled["depth"].tolist() == [0, 1, 1]


def test_children_without_data_are_left_out_and_reported_as_coverage():
    # 1 ← 2 (w 2) ← {4 (w 1): 0.5, 5 (w 3): no data}; 1 ← 3 (w 1): 1.0; 6 is a root of its own, unmeasured
    tree = pd.DataFrame({"id": [1, 2, 3, 4, 5, 6], "parent_id": [np.nan, 1, 1, 2, 2, np.nan],
                         "weight": [1.0, 2.0, 1.0, 1.0, 3.0, 1.0],
                         "leaf_progress": [np.nan, np.nan, 1.0, 0.5, np.nan, np.nan]})
    rolled = roll_up(tree)
    assert rolled["progress"].iloc[1] == 0.5  # only child 4 counts
    assert rolled["coverage"].iloc[1] == 0.25  # 1 of 4 weight measured
    assert rolled["progress"].iloc[0] == pytest.approx((2 * 0.5 + 1 * 1.0) / 3)
    assert rolled["coverage"].iloc[0] == 1.0
    assert np.isnan(rolled["progress"].iloc[5]) and rolled["coverage"].iloc[5] == 0.0
    assert rolled["depth"].tolist() == [0, 1, 1, 2, 2, 0]


def test_a_parent_whose_children_weigh_nothing_has_no_progress():
    tree = pd.DataFrame({"id": [1, 2], "parent_id": [None, 1], "weight": [1.0, 0.0], "leaf_progress": [None, 0.7]})
    rolled = roll_up(tree)
    assert np.isnan(rolled["progress"].iloc[0]) and rolled["coverage"].iloc[0] == 0.0


def test_a_parent_outside_the_frame_makes_its_child_a_root():
    tree = pd.DataFrame({"id": [7, 8], "parent_id": [99, 7], "weight": [1.0, 1.0], "leaf_progress": [None, 0.4]})
    assert roll_up(tree)["depth"].tolist() == [0, 1]
    assert roll_up(tree)["progress"].tolist() == [0.4, 0.4]


def test_a_cycle_is_refused():
    tree = pd.DataFrame({"id": [1, 2], "parent_id": [2, 1], "weight": [1.0, 1.0], "leaf_progress": [0.1, 0.2]})
    with pytest.raises(ValueError, match="cycle"):
        roll_up(tree)


def test_status_compares_progress_with_the_time_elapsed():
    start = pd.Series(pd.to_datetime([period_start("2026")] * 5))
    due = pd.Series(pd.to_datetime(["2026-12-31", "2026-10-31", "2026-12-31", "2026-12-31", "2026-12-31"]))
    # 29 Nov 2026: 332 of 364 days elapsed (91.2 %); at risk below 81.2 %
    result = statuses(pd.Series([0.874127, 0.790211, 0.80, 0.82, 1.0]), start, due, dt.date(2026, 11, 29))
    assert result.tolist() == ["on_track", "overdue", "at_risk", "on_track", "done"]


def test_period_start_of_a_year_and_a_month():
    assert period_start("2026") == dt.date(2026, 1, 1)
    assert period_start("2026-03") == dt.date(2026, 3, 1)


weights = st.floats(min_value=0.01, max_value=100)
fractions = st.one_of(st.none(), st.floats(min_value=0, max_value=1))


@given(st.lists(st.tuples(weights, fractions), min_size=1, max_size=12))
def test_a_parent_lies_between_its_measured_children(children):
    tree = pd.DataFrame({"id": range(len(children) + 1), "parent_id": [None] + [0] * len(children),
                         "weight": [1.0] + [w for w, _ in children],
                         "leaf_progress": [None] + [p for _, p in children]}).astype({"leaf_progress": float})
    rolled = roll_up(tree)
    measured = [p for _, p in children if p is not None]
    if measured:
        assert min(measured) - 1e-12 <= rolled["progress"].iloc[0] <= max(measured) + 1e-12
        assert 0 < rolled["coverage"].iloc[0] <= 1
    else:
        assert np.isnan(rolled["progress"].iloc[0]) and rolled["coverage"].iloc[0] == 0
