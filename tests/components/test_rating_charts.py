import datetime as dt

import numpy as np
import pandas as pd
import pytest

from components.colours import BLUE, RED, SLATE
from components.rating_charts import (
    BEIJING,
    agreement_table,
    agreement_text,
    beijing_time,
    breakdown_bars,
    method_text,
    response_counts,
    results_table,
    rounds_table,
)


def _rounds():
    return pd.DataFrame({
        "id": [7, 3], "name_zh": ["四季度评分", "三季度评分"], "name_en": ["Q4 rating", "Q3 rating"],
        "period": [dt.date(2026, 12, 1), dt.date(2026, 9, 1)],
        "deadline": [pd.Timestamp("2026-12-10 10:00", tz="UTC"), pd.Timestamp("2026-10-10 10:00", tz="UTC")],
        "status": ["open", "closed"], "projects": [30, 12], "assigned": [120, 0], "responded": [30, 0],
        "anonymous": [True, False], "indicator_code": ["RESIDENT_SAT", None]})


def test_the_rounds_list_shows_progress_as_a_share_and_as_counts():
    table = rounds_table(_rounds(), "zh")
    assert list(table.index) == [7, 3]
    assert list(table.columns) == ["名称", "评分月份", "截止时间", "状态", "项目数", "评分进度", "已评 / 应评", "匿名"]
    assert table.loc[7].tolist()[:5] == ["四季度评分", "2026年12月", "2026-12-10 18:00",
                                         "进行中", 30]
    assert table.at[7, "评分进度"] == pytest.approx(0.25)
    assert table.at[3, "评分进度"] == 0.0  # nobody asked yet: an empty bar, not a division by zero
    assert list(table["已评 / 应评"]) == ["30 / 120", "0 / 0"]
    assert list(table["匿名"]) == ["是", "否"]
    english = rounds_table(_rounds(), "en")
    assert english.iloc[0, 0] == "Q4 rating" and english.iloc[1, 3] == "closed" and english.iloc[0, 1] == "Dec 2026"


def test_deadlines_are_shown_in_beijing_time_to_the_minute():
    assert beijing_time(dt.datetime(2026, 12, 10, 10, 0)) == "2026-12-10 18:00"  # naive: UTC
    assert beijing_time(pd.Timestamp("2026-12-10 23:30:59", tz="UTC")) == "2026-12-11 07:30"
    assert beijing_time(dt.datetime(2026, 12, 10, 18, 0, tzinfo=BEIJING)) == "2026-12-10 18:00"
    assert beijing_time(pd.NaT) == "—"


def test_response_counts_per_group_in_the_fixed_group_order():
    assignments = pd.DataFrame({"rater_type": ["self", "peer", "peer", "superior", "expert", "peer"],
                                "rated": [True, True, False, False, True, False]})
    table = response_counts(assignments, "zh")
    assert table.to_dict("list") == {"评价人类型": ["上级", "同级", "自评", "专家"], "应评": [1, 3, 1, 1],
                                     "已评": [0, 1, 1, 1], "未评": [1, 2, 0, 0]}
    assert list(response_counts(assignments.iloc[0:0], "en").columns) == ["Rater group", "Asked", "Rated", "Not yet"]


def _results():
    return pd.DataFrame({
        "code": ["KF-2", "KF-1", "KF-3"], "name": ["公园", "道路 <b>", "学校"], "score": [80.0, 85.5, np.nan],
        "superior": [80.0, 85.0, np.nan], "peer": [78.0, 80.0, np.nan], "self": [np.nan, 95.0, np.nan],
        "self_gap": [np.nan, 11.875, np.nan], "self_flagged": [False, True, False],
        "leniency_change": [np.nan, np.nan, np.nan], "responded": [4, 7, 0], "assigned": [5, 7, 6]})


def test_results_are_best_first_with_the_self_flag_and_the_response_counts():
    table = results_table(_results(), "zh")
    assert list(table.columns) == ["编号", "项目名称", "综合得分", "上级", "同级", "自评", "自评高出", "已评 / 应评"]
    assert list(table["编号"]) == ["KF-1", "KF-2", "KF-3"]  # unscored last
    assert table["综合得分"].iloc[0] == 85.5 and np.isnan(table["综合得分"].iloc[2])
    assert list(table["自评高出"]) == ["⚑ +11.9", "—", "—"]
    assert list(table["已评 / 应评"]) == ["7 / 7", "4 / 5", "0 / 6"]
    assert table["项目名称"].iloc[0] == "道路 <b>"  # a table cell is text: kept as written


def test_results_show_the_leniency_effect_only_when_the_round_corrected():
    results = _results().assign(leniency_change=[-1.25, 0.5, np.nan], self_flagged=False)
    table = results_table(results, "en")
    assert list(table["Leniency correction"]) == [0.5, -1.2, pytest.approx(np.nan, nan_ok=True)]
    assert list(table["Self above others"]) == ["+11.9", "—", "—"]  # a gap within the margin is not flagged


def test_agreement_table_keeps_the_reading_and_rounds_the_coefficients():
    agreement = pd.DataFrame({"rater_type": ["peer", "superior"], "raters": [5, 2], "projects": [12, 12],
                              "kendall_w": [0.6543, np.nan], "icc_single": [0.412, np.nan],
                              "reading": ["较为一致", "人数不足"]})
    table = agreement_table(agreement, "zh")
    assert table.to_dict("list") == {"评价人类型": ["上级", "同级"], "评价人数": [2, 5], "项目数": [12, 12],
                                     "Kendall W": ["—", "0.65"], "ICC(2,1)": ["—", "0.41"],
                                     "一致性": ["人数不足", "较为一致"]}


def _groups():
    return pd.DataFrame({"rater_type": ["self", "expert", "superior", "peer"], "mean": [95.0, np.nan, 85.0, 80.0],
                         "responded": [1, 0, 1, 4], "assigned": [1, 2, 1, 5], "weight": [0.2, 0.1, 0.5, 0.3]})


def test_the_breakdown_draws_each_group_at_its_mean_with_who_responded_and_the_combined_line():
    figure = breakdown_bars(_groups(), 85.5, "zh", self_flagged=True)
    bars = figure.data[0]
    assert list(bars.y) == ["上级", "同级", "自评 ⚑", "专家"]
    assert list(bars.x) == [85.0, 80.0, 95.0, 0.0]  # a group nobody rated has no bar, and says so
    assert list(bars.text) == ["85.0 · 1/1", "80.0 · 4/5", "95.0 · 1/1", "— · 0/2"]
    assert list(bars.marker.color) == [SLATE, SLATE, RED, SLATE]
    assert [list(c) for c in bars.customdata][1] == ["peer", 0.3, 4, 5]
    line = figure.layout.shapes[0]
    assert (line.x0, line.x1, line.line.color, line.line.dash) == (85.5, 85.5, BLUE, "dash")
    assert figure.layout.annotations[0].text == "综合 85.5"


def test_the_breakdown_in_english_without_a_score_or_a_flag():
    figure = breakdown_bars(_groups(), None, "en")
    assert list(figure.data[0].y) == ["Superior", "Peer", "Self", "Expert"]
    assert list(figure.data[0].marker.color) == [SLATE] * 4
    assert not figure.layout.shapes and figure.layout.xaxis.title.text == "Rating (points)"


def test_the_method_says_how_the_scores_were_computed_with_the_rounds_own_weights():
    method = {"trim_min_raters": 5, "group_weights": {"self": 0.14, "expert": 0.3, "superior": 0.35, "peer": 0.21},
              "criteria_weights": {"progress": 0.4, "quality": 0.3, "satisfaction": 0.3}, "correct_leniency": False,
              "self_margin": 10.0, "criteria_first": True}
    names = {"progress": "进度达成度", "quality": "质量达标率", "satisfaction": "用户满意度"}
    assert method_text(method, names, "zh") == (
        "计算方法：每位评分人的分数按评分项权重合成（进度达成度 40 %、质量达标率 30 %、用户满意度 30 %）；"
        "同类评分人达到 5 人时去掉一个最高分和一个最低分后取平均；"
        "各类评分人的平均分再按权重合成（上级 0.35、同级 0.21、自评 0.14、专家 0.30；缺少的类别按比例分摊其权重）；"
        "自评比其他评分人高出 10 分以上标记 ⚑；未做宽严校正。")
    english = method_text(method | {"correct_leniency": True}, {"progress": "Progress"}, "en")
    assert "(Progress 40 %, quality 30 %, satisfaction 30 %)" in english  # an unnamed criterion keeps its code
    assert english.endswith("lenient and harsh raters were corrected for.")
    assert method_text({}, names, "zh") == ""


def test_agreement_in_words_per_group_with_kendalls_w_and_too_few_to_tell():
    groups = pd.DataFrame({"rater_type": ["expert", "self", "peer"], "kendall_w": [0.9412, np.nan, 0.6234],
                           "reading": ["高度一致", None, "较为一致"]})
    assert agreement_text(groups, "zh") == ("同级：较为一致（W 0.62） · 自评：人数不足，无法判断 · "
                                            "专家：高度一致（W 0.94）")
    english = groups.assign(reading=["high agreement", None, "fair agreement"])
    assert agreement_text(english, "en") == ("Peer: fair agreement (W 0.62) · Self: too few to tell · "
                                             "Expert: high agreement (W 0.94)")
