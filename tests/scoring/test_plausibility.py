"""Plausibility of report values on crafted series, every number computed by hand."""
import datetime as dt
import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.plausibility import check_entries, is_cumulative, move_ratio, typical_moves

NAN = math.nan


def _entries(**columns):
    defaults = {"cumulative": False, "low": -1e13, "high": 1e13, "last_value": NAN, "next_value": NAN,
                "typical_move": NAN, "plan": NAN}
    rows = len(columns["code"])
    return pd.DataFrame({**{k: [v] * rows for k, v in defaults.items()}, **columns})


def _found(entries, jump=10.0, deviation=0.5):
    return [tuple(row) for row in check_entries(entries, jump=jump, plan_deviation=deviation).itertuples(index=False)]


def test_the_issues_falling_cumulative_spend_is_refused():
    entries = _entries(code=["SPEND_CUM"], value=[1250.0], cumulative=[True], last_value=[8629.0])
    assert _found(entries) == [("SPEND_CUM", "falls", 1250.0, 8629.0)]


def test_a_cumulative_equal_to_the_last_value_or_without_one_is_fine():
    entries = _entries(code=["SPEND_CUM", "SPEND_CUM"], value=[8629.0, 10.0], cumulative=[True, True],
                       last_value=[8629.0, NAN])
    assert _found(entries) == []


def test_a_cumulative_above_a_later_months_value_is_refused():
    entries = _entries(code=["SPEND_CUM"], value=[9000.0], cumulative=[True], last_value=[8629.0],
                       next_value=[8800.0])
    assert _found(entries) == [("SPEND_CUM", "above_later", 9000.0, 8800.0)]


def test_a_non_cumulative_series_may_fall():
    assert _found(_entries(code=["QUALITY_PASS"], value=[80.0], last_value=[92.0])) == []


def test_progress_outside_0_to_100_names_the_bound_it_crosses():
    entries = _entries(code=["PROG_ACTUAL", "PROG_ACTUAL"], value=[130.0, -1.0], low=[0.0, 0.0],
                       high=[100.0, 100.0])
    assert _found(entries) == [("PROG_ACTUAL", "out_of_range", 130.0, 100.0),
                               ("PROG_ACTUAL", "out_of_range", -1.0, 0.0)]


def test_a_move_beyond_ten_usual_moves_asks_and_exactly_ten_does_not():
    # usual move 1: 92 → 80 is 12 moves, 92 → 82 is exactly 10
    entries = _entries(code=["A", "B"], value=[80.0, 82.0], last_value=[92.0, 92.0], typical_move=[1.0, 1.0])
    assert _found(entries) == [("A", "jump", 80.0, 1.0)]
    assert move_ratio(80.0, 92.0, 1.0) == 12.0


def test_the_jump_factor_is_a_setting():
    entries = _entries(code=["A"], value=[86.0], last_value=[92.0], typical_move=[1.0])
    assert _found(entries, jump=5.0) == [("A", "jump", 86.0, 1.0)]
    assert _found(entries, jump=10.0) == []


def test_no_usual_move_or_a_usual_move_of_zero_never_asks_about_a_jump():
    entries = _entries(code=["A", "B"], value=[500.0, 3.0], last_value=[1.0, 0.0], typical_move=[NAN, 0.0])
    assert _found(entries) == []


def test_far_from_plan_is_more_than_half_the_plan_away():
    # plan 40: 60 is exactly 50 % away (fine), 61 is 52.5 % (asks), 19 is 52.5 % below (asks)
    entries = _entries(code=["A", "B", "C"], value=[60.0, 61.0, 19.0], plan=[40.0, 40.0, 40.0])
    assert _found(entries) == [("B", "far_from_plan", 61.0, 40.0), ("C", "far_from_plan", 19.0, 40.0)]
    assert _found(entries, deviation=0.6) == []


def test_a_plan_of_zero_has_no_distance_to_measure():
    assert _found(_entries(code=["A"], value=[5.0], plan=[0.0])) == []


def test_the_usual_move_is_the_median_of_consecutive_months_and_needs_three():
    months = [dt.date(2026, m, 1) for m in (5, 6, 7, 8, 10)]
    history = pd.DataFrame({"code": ["Q"] * 5 + ["R"] * 3,
                            "period": months + [dt.date(2026, m, 1) for m in (1, 2, 3)],
                            "value": [90.0, 91.0, 90.0, 92.0, 50.0, 5.0, 5.0, 7.0]})
    moves = typical_moves(history)
    # Q: moves 1, 1, 2 (August → October is two months, not counted) → median 1; R: two moves only
    assert moves["Q"] == 1.0 and math.isnan(moves["R"])


def test_the_usual_move_does_not_depend_on_the_rows_order():
    history = pd.DataFrame({"code": ["Q"] * 4, "period": [dt.date(2026, m, 1) for m in (4, 1, 3, 2)],
                            "value": [130.0, 100.0, 120.0, 110.0]})
    assert typical_moves(history)["Q"] == 10.0


def test_cumulative_means_a_cum_code_rolled_up_as_its_last_value():
    assert is_cumulative("SPEND_CUM", "last")
    assert not is_cumulative("SPEND_CUM", "sum")
    assert not is_cumulative("PROG_ACTUAL", "last")


AMOUNTS = st.floats(0, 1e6, allow_nan=False)
property_test = settings(max_examples=60, deadline=None)  # a DataFrame per example: slow on a busy machine


@property_test
@given(AMOUNTS, AMOUNTS, AMOUNTS)
def test_a_cumulative_between_the_months_around_it_is_never_refused(last, step_up, step_after):
    entries = _entries(code=["SPEND_CUM"], value=[last + step_up], cumulative=[True], last_value=[last],
                       next_value=[last + step_up + step_after], low=[0.0], high=[1e13])
    assert _found(entries) == []


@property_test
@given(st.floats(1e-3, 1e3), st.floats(-1e4, 1e4), st.floats(-1e4, 1e4), st.floats(1e-2, 1e3), st.floats(-1e4, 1e4))
def test_the_findings_do_not_depend_on_the_unit(scale, value, last, usual, plan):
    """万元 or 元, % or share: scaling every number alike finds the same rules (within rounding of the bounds)."""
    def rules(k):
        entries = _entries(code=["A"], value=[value * k], last_value=[last * k], typical_move=[usual * k],
                           plan=[plan * k])
        return [rule for _, rule, _, _ in _found(entries)]

    near_a_bound = (abs(abs(value - last) - 10 * usual) < 1e-6 * (1 + abs(value) + abs(last))
                    or abs(abs(value - plan) - 0.5 * abs(plan)) < 1e-6 * (1 + abs(value) + abs(plan)))
    if not near_a_bound:
        assert rules(scale) == rules(1.0)
