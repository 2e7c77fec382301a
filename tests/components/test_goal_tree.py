import datetime as dt

import numpy as np
import pandas as pd

from components.colours import GREY
from components.goal_tree import CONTEXT_GREY, goal_table, goal_treemap


def _tree():
    """City goal 1 (context) → objective 2 (weight 3) and KR 3 (weight 1); 2 → KR 4; 9 lost its parent."""
    return pd.DataFrame({
        "id": [1, 2, 3, 4, 9], "parent_id": [np.nan, 1, 1, 2, 77], "sort_order": [0, 0, 1, 0, 0],
        "title_zh": ["市级目标", "游客人次增长<b>15%</b>", "线上活动", "设施改造", "孤立目标"],
        "title_en": ["City goal", "Visitors +15 %", "Campaign", "Facility", "Orphan"],
        "okr_type": ["objective", "objective", "key_result", "key_result", "objective"],
        "owner_name": ["张敏", "<img src=x>", None, "王伟", "李娜"],
        "due_date": [dt.date(2026, 12, 31), dt.date(2026, 12, 31), None, dt.date(2026, 10, 31), None],
        "weight": [1.0, 3.0, 1.0, 2.0, 1.0],
        "progress": [np.nan, 0.79, 1.0, 0.0, np.nan],
        "coverage": [np.nan, 1.0, 1.0, 1.0, 0.0],
        "status": [None, "on_track", "done", "overdue", "no_data"],
        "in_scope": [False, True, True, True, True],
        "value": [np.nan, 16.332, 6.911286, 71.119, np.nan], "target_value": [np.nan, 15.0, 5.0, 90.0, 50000.0],
        "unit_zh": [None, "%", "万人次", "%", None],
    })


def test_the_treemap_keeps_the_tree_and_splits_each_parent_by_weight():
    trace = goal_treemap(_tree()).data[0]
    assert list(trace.ids) == ["1", "2", "4", "3", "9"]  # depth first, by sort order
    assert list(trace.parents) == ["", "1", "2", "1", ""]  # 9's parent is not shown: a root
    # two roots share the picture; 2 and 3 split root 1's half 3 : 1; parents add nothing of their own
    assert list(trace.values) == [0.0, 0.0, 0.375, 0.125, 0.5]
    assert trace.branchvalues == "remainder" and trace.sort is False


def test_the_treemap_is_coloured_red_to_green_and_grey_without_data():
    colours = list(goal_treemap(_tree()).data[0].marker.colors)
    assert colours[0] == CONTEXT_GREY  # shown only for context
    assert colours[2] == "rgb(207, 34, 46)"  # 0 %: red
    assert colours[3] == "rgb(45, 164, 78)"  # 100 %: green
    assert colours[4] == GREY  # no data


def test_titles_and_owners_are_escaped_and_the_hover_names_owner_due_date_and_status():
    trace = goal_treemap(_tree()).data[0]
    assert trace.labels[1] == "游客人次增长&lt;b&gt;15%&lt;/b&gt;"
    assert list(trace.customdata[1]) == [2, "&lt;img src=x&gt;", "2026年12月31日", "79.0 %", "正常推进", "100.0 %"]
    assert list(trace.customdata[3]) == [3, "—", "—", "100.0 %", "已完成", "100.0 %"]
    assert "责任人: %{customdata[1]}" in trace.hovertemplate
    assert "截止日期: %{customdata[2]}" in trace.hovertemplate
    assert "状态: %{customdata[4]}" in trace.hovertemplate


def test_the_english_treemap_uses_the_english_titles_and_words():
    trace = goal_treemap(_tree(), "en").data[0]
    assert trace.labels[2] == "Facility" and trace.customdata[2][4] == "Overdue"
    assert "Owner: %{customdata[1]}" in trace.hovertemplate


def test_the_table_indents_by_depth_in_tree_order():
    table = goal_table(_tree())
    assert table.index.tolist() == [1, 2, 4, 3, 9]
    assert table["目标"].tolist() == ["市级目标", "\u3000└ 游客人次增长<b>15%</b>", "\u3000\u3000└ 设施改造",
                                    "\u3000└ 线上活动", "孤立目标"]
    assert table["类型"].tolist() == ["目标（O）", "目标（O）", "关键结果（KR）", "关键结果（KR）", "目标（O）"]
    assert table["责任人"].tolist() == ["张敏", "<img src=x>", "王伟", "—", "李娜"]
    assert table["截止日期"].tolist() == ["2026年12月31日", "2026年12月31日", "2026年10月31日", "—", "—"]
    assert table["实际 / 目标"].tolist() == ["", "16.33 / 15 %", "71.12 / 90 %", "6.91 / 5 万人次", "— / 50,000"]
    assert table["进度 (%)"].tolist()[1:4] == [79.0, 0.0, 100.0] and np.isnan(table["进度 (%)"].iloc[0])
    assert table["状态"].tolist() == ["—", "正常推进", "已逾期", "已完成", "无数据"]
    assert table["数据覆盖 (%)"].tolist() == ["—", "100.0 %", "100.0 %", "100.0 %", "0.0 %"]
