"""The bonus allocation: a hand-computed case to the fen, caps with redistribution, ties, and properties."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.allocation import AllocationRules, allocate, budget_priority, by_district, obligations, rule_problems
from scoring.ranking import grade

property_test = settings(max_examples=80, deadline=None)


def five_projects() -> pd.DataFrame:
    """A, B in district 1; C, D in district 2; E in district 3 below the threshold."""
    return pd.DataFrame({"district_id": [1, 1, 2, 2, 3], "score": [95.0, 90.0, 85.0, 70.0, 55.0],
                         "grade": ["优秀", "优秀", "良好", "合格", "不合格"]}, index=[101, 102, 103, 104, 105])


def test_the_hand_computed_case_with_both_caps_comes_out_to_the_fen():
    # Pool ¥100,000 = 10,000,000 fen; weights 1.2×95 = 114, 1.2×90 = 108, 1.0×85 = 85, 0.8×70 = 56 (E is below 60).
    # Uncapped, district 1 would get 10e6 × 222/363 = 5,975,206.6 > its cap 5,500,000: it gets exactly 5.5e6, split
    # 114:108 = 2,824,324.32 / 2,675,675.68 (both under the project cap 3,000,000). The other 4,500,000 goes to
    # district 2 as 85:56 = 2,712,765.96 / 1,787,234.04. Largest remainder: B and C take the leftover fen.
    rules = AllocationRules(pool_fen=10_000_000, threshold=60, project_cap_fen=3_000_000, district_cap_fen=5_500_000)
    lines, rest = allocate(five_projects(), rules)
    assert lines["final_fen"].to_dict() == {101: 2_824_324, 102: 2_675_676, 103: 2_712_766, 104: 1_787_234, 105: 0}
    assert rest == 0 and lines["final_fen"].sum() == 10_000_000
    assert lines.loc[101, "raw_fen"] == pytest.approx(10_000_000 * 114 / 363)
    assert lines["weight"].to_dict() == {101: 114.0, 102: 108.0, 103: 85.0, 104: 56.0, 105: 0.0}
    assert lines["eligible"].tolist() == [True, True, True, True, False]
    assert lines.loc[[101, 102, 103], "capped"].tolist() == [True, True, False]  # held by their district's cap
    districts = by_district(lines, rules)
    assert districts["final_fen"].to_dict() == {1: 5_500_000, 2: 4_500_000, 3: 0}
    assert districts["at_cap"].to_dict() == {1: True, 2: False, 3: False}


def test_a_project_cap_sends_the_excess_to_the_others_in_proportion():
    rules = AllocationRules(pool_fen=10_000_000, project_cap_fen=3_000_000)
    lines, rest = allocate(five_projects(), rules)
    # A (3,140,495.9 uncapped) is held at 3,000,000; 7,000,000 left over 108:85:56 = 3,036,144.6 for B, over the
    # cap too, so B is held as well; 4,000,000 over 85:56 = 2,411,347.5 / 1,588,652.5.
    assert lines["final_fen"].to_dict() == {101: 3_000_000, 102: 3_000_000, 103: 2_411_348, 104: 1_588_652,
                                            105: 0}
    assert lines.loc[[101, 102, 103], "capped"].tolist() == [True, True, False]
    assert rest == 0


def test_when_everyone_is_at_the_cap_the_rest_stays_unallocated():
    lines, rest = allocate(five_projects(), AllocationRules(pool_fen=10_000_000, project_cap_fen=1_000_000))
    assert lines["final_fen"].sum() == 4_000_000
    assert rest == 6_000_000
    assert lines["capped"].sum() == 4


def test_equal_weights_get_equal_money_and_a_leftover_fen_goes_to_the_smaller_id():
    frame = pd.DataFrame({"district_id": [1, 2, 3], "score": [80.0, 80.0, 80.0], "grade": ["良好"] * 3},
                         index=[9, 4, 6])
    even, _ = allocate(frame, AllocationRules(pool_fen=300))
    assert even["final_fen"].to_dict() == {9: 100, 4: 100, 6: 100}
    odd, rest = allocate(frame, AllocationRules(pool_fen=100))
    assert odd["final_fen"].to_dict() == {4: 34, 6: 33, 9: 33} and rest == 0


def test_a_leftover_fen_goes_to_the_higher_score_before_the_smaller_id():
    # 0.75 × 80 = 1.0 × 60: equal weights, 1.5 fen each; the fen left over goes to the higher score.
    frame = pd.DataFrame({"district_id": [1, 1], "score": [60.0, 80.0], "grade": ["合格", "良好"]}, index=[1, 2])
    lines, _ = allocate(frame, AllocationRules(pool_fen=3, coefficients={"良好": 0.75, "合格": 1.0}))
    assert lines["final_fen"].to_dict() == {2: 2, 1: 1}


def test_nobody_above_the_threshold_allocates_nothing_and_says_so():
    lines, rest = allocate(five_projects(), AllocationRules(pool_fen=10_000_000, threshold=99))
    assert not lines["eligible"].any()
    assert lines["final_fen"].sum() == 0 and rest == 10_000_000


def test_a_project_without_a_score_is_never_eligible():
    frame = five_projects()
    frame.loc[101, ["score", "grade"]] = [np.nan, None]
    lines, rest = allocate(frame, AllocationRules(pool_fen=1_000))
    assert not lines.loc[101, "eligible"] and lines.loc[101, "final_fen"] == 0 and rest == 0


def test_moving_the_threshold_moves_the_money():
    low, _ = allocate(five_projects(), AllocationRules(pool_fen=10_000_000, threshold=50))
    high, _ = allocate(five_projects(), AllocationRules(pool_fen=10_000_000, threshold=88))
    assert low.loc[105, "eligible"] and low.loc[105, "final_fen"] == 0  # 不合格's coefficient is 0
    assert low.loc[103, "final_fen"] == 2_341_598  # 10e6 × 85/363
    assert not high.loc[103, "eligible"] and high.loc[103, "final_fen"] == 0
    assert high.loc[101, "final_fen"] == 5_135_135  # 10e6 × 114/222, rounded


def test_budget_priority_follows_the_configured_order_and_floor():
    frame = five_projects()
    rules = AllocationRules(pool_fen=0, priority_order=("合格", "优秀", "良好", "不合格"), priority_floor=80,
                            review_grades=("不合格",))
    priority = budget_priority(frame, rules)
    assert priority["priority"].dropna().astype(int).to_dict() == {101: 1, 102: 2, 103: 3}
    assert pd.isna(priority.loc[104, "priority"])  # 合格 first in the order, but under the floor of 80
    assert priority.loc[105, "review"] and not priority.loc[104, "review"]


def test_obligations_are_listed_for_the_configured_grades():
    rules = AllocationRules(pool_fen=0, obligation_grades=("不合格", "合格"),
                            obligations=(("参加培训", "Attend training"), ("提交整改方案", "Submit a plan")))
    frame = obligations(five_projects(), rules)
    assert frame[["project_id", "obligation_zh"]].values.tolist() == [
        [104, "参加培训"], [104, "提交整改方案"], [105, "参加培训"], [105, "提交整改方案"]]


def test_bad_parameters_each_get_their_own_message():
    problems = rule_problems({"pool_fen": 5, "threshold": 60, "project_cap_fen": -1, "district_cap_fen": 1.5,
                              "coefficients": {"优秀": float("nan"), "特等": 1.0}})
    assert [zh for _, zh in problems] == ["单个项目上限须为不小于 0 的整数（分）",
                                          "单个区县上限须为不小于 0 的整数（分）",
                                          "等级“优秀”的系数不能为负数", "未知等级“特等”"]
    assert rule_problems({"pool_fen": "100"})[0][1] == "奖励资金池须为整数（分）"


def test_the_parameters_survive_a_round_trip():
    rules = AllocationRules(pool_fen=123, threshold=70.5, project_cap_fen=50, coefficients={"优秀": 2.0})
    assert AllocationRules.from_params(rules.to_params()) == rules


# -- properties ---------------------------------------------------------------------------------------------

@st.composite
def portfolios(draw):
    n = draw(st.integers(1, 25))
    scores = draw(st.lists(st.one_of(st.just(np.nan), st.floats(0, 100)), min_size=n, max_size=n))
    districts = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    frame = pd.DataFrame({"district_id": districts, "score": scores}, index=range(1, n + 1))
    frame["grade"] = grade(frame["score"]).astype(object)
    return frame


caps = st.one_of(st.none(), st.integers(0, 5_000_000))
coefficient = st.floats(0, 3)


@property_test
@given(portfolios(), st.integers(0, 10_000_000), st.floats(0, 100), caps, caps,
       st.fixed_dictionaries({g: coefficient for g in ("优秀", "良好", "合格", "不合格")}))
def test_the_lines_never_exceed_the_pool_or_a_cap(frame, pool, threshold, project_cap, district_cap, coefficients):
    rules = AllocationRules(pool_fen=pool, threshold=threshold, project_cap_fen=project_cap,
                            district_cap_fen=district_cap, coefficients=coefficients)
    lines, rest = allocate(frame, rules)
    assert lines["final_fen"].sum() + rest == pool and rest >= 0
    assert (lines["final_fen"] >= 0).all()
    if project_cap is not None:
        assert (lines["final_fen"] <= project_cap).all()
    if district_cap is not None:
        assert (lines.groupby("district_id")["final_fen"].sum() <= district_cap).all()
    assert (lines.loc[~lines["eligible"], "final_fen"] == 0).all()
    if rest > 0 and lines["weight"].sum() > 0:  # money left over only when every paid line is held by a cap
        paid = lines[lines["weight"] > 0]
        at_district_cap = paid["district_id"].map(paid.groupby("district_id")["final_fen"].sum()) == district_cap
        assert (paid["capped"] | at_district_cap).all()


@property_test
@given(portfolios(), st.integers(0, 10_000_000), st.floats(0, 100), caps)
def test_a_higher_score_never_gets_less_under_equal_coefficients(frame, pool, threshold, project_cap):
    rules = AllocationRules(pool_fen=pool, threshold=threshold, project_cap_fen=project_cap,
                            coefficients={g: 1.0 for g in ("优秀", "良好", "合格", "不合格")})
    lines, _ = allocate(frame, rules)
    ordered = lines.dropna(subset=["score"]).sort_values(["score", "final_fen"])
    assert ordered["final_fen"].is_monotonic_increasing
