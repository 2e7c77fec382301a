import datetime as dt
import time

import numpy as np
import pandas as pd

from components.colours import MILESTONE_COLOURS, WARNING_COLOURS
from components.gantt import milestone_gantt

TODAY = dt.date(2026, 11, 3)


def _milestones():
    return pd.DataFrame({
        "id": [1, 2, 3, 4], "project_id": [10, 10, 20, 20], "project": ["甲", "甲", "乙", "乙"],
        "milestone": ["设计", "施工", "设计", "验收"], "district": ["东区", "东区", "西区", "西区"],
        "planned_start": [dt.date(2026, 1, 1), dt.date(2026, 3, 1), dt.date(2026, 2, 1), dt.date(2026, 12, 1)],
        "planned_end": [dt.date(2026, 2, 28), dt.date(2026, 9, 30), dt.date(2026, 11, 30), dt.date(2027, 1, 31)],
        "actual_end": [dt.date(2026, 3, 10), None, None, None],
        "percent_complete": [100.0, 60.0, 50.0, 0.0],
    })


def _by_name(figure):
    return {trace.name: trace for trace in figure.data}


def test_status_colours_finished_green_overdue_red_in_progress_blue():
    traces = _by_name(milestone_gantt(_milestones(), TODAY))
    assert traces["逾期"].marker.color == WARNING_COLOURS["red"] == MILESTONE_COLOURS["overdue"]
    assert traces["已完成"].marker.color == WARNING_COLOURS["none"]
    assert traces["进行中"].marker.color == MILESTONE_COLOURS["in_progress"] == "#1f6feb"
    assert [c[0] for c in traces["逾期"].customdata] == [2]  # only the unfinished milestone past its planned end
    assert [c[0] for c in traces["已完成"].customdata] == [1]
    assert sorted(c[0] for c in traces["进行中"].customdata) == [3, 4]


def test_bars_run_from_planned_start_to_what_happened():
    traces = _by_name(milestone_gantt(_milestones(), TODAY))
    day = 86_400_000
    planned = dict(zip([c[0] for c in traces["计划"].customdata], traces["计划"].x, strict=True))
    assert planned == {1: 58 * day, 2: 213 * day, 3: 302 * day, 4: 61 * day}
    assert traces["已完成"].x[0] == 68 * day  # planned start → actual end (10 days late)
    assert traces["逾期"].x[0] == (pd.Timestamp(TODAY) - pd.Timestamp("2026-03-01")).days * day  # → today
    in_progress = dict(zip([c[0] for c in traces["进行中"].customdata], traces["进行中"].x, strict=True))
    assert in_progress == {3: 151 * day, 4: 0.0}  # filled to 50 % of the 302-day plan; not started
    assert pd.Timestamp(traces["逾期"].base[0]) == pd.Timestamp("2026-03-01")
    assert list(traces["逾期"].text) == ["60 %"] and traces["逾期"].textfont.size >= 12


def test_customdata_layout_and_hover_texts():
    traces = _by_name(milestone_gantt(_milestones(), TODAY))
    assert list(traces["逾期"].customdata[0]) == [2, 10, "甲", "施工", "2026年3月1日 – 2026年9月30日", "—", "60.0 %",
                                                 "逾期", "逾期 34 天"]
    assert list(traces["已完成"].customdata[0])[5:] == ["2026年3月10日", "100.0 %", "已完成", "逾期 10 天"]
    assert "%{customdata[4]}" in traces["计划"].hovertemplate


def test_today_line_and_label():
    figure = milestone_gantt(_milestones(), TODAY, "en")
    line = figure.layout.shapes[0]
    assert pd.Timestamp(line.x0) == pd.Timestamp(line.x1) == pd.Timestamp(TODAY) and line.yref == "paper"
    assert figure.layout.annotations[0].text == "Today 3 Nov 2026"
    bars = {trace.name for trace in figure.data if trace.type == "bar"}
    assert bars == {"Planned", "Finished", "In progress", "Overdue"}


def test_one_project_is_labelled_by_milestone_and_portfolio_by_project_under_group_headers():
    single = milestone_gantt(_milestones().iloc[:2], TODAY)
    assert list(single.layout.yaxis.ticktext) == ["设计", "施工"]
    portfolio = milestone_gantt(_milestones(), TODAY, group_column="district")
    assert list(portfolio.layout.yaxis.ticktext) == ["<b>东区</b>", "", "设计", "施工", "<b>西区</b>", "", "设计",
                                                     "验收"]  # each project heads its milestones, across the chart
    assert [(a.y, a.text) for a in portfolio.layout.annotations[1:]] == [(1, "<b>甲</b>"), (5, "<b>乙</b>")]
    assert list(_by_name(portfolio)["计划"].y) == [2, 3, 6, 7]
    assert portfolio.layout.yaxis.autorange == "reversed"
    reordered = milestone_gantt(_milestones().iloc[[3, 2, 1, 0]], TODAY, group_column="district")
    assert list(reordered.layout.yaxis.ticktext) == ["<b>西区</b>", "", "设计", "验收", "<b>东区</b>", "", "设计",
                                                     "施工"]  # caller's order, by planned start


def test_two_hundred_milestones_stay_readable_and_fast():
    rng = np.random.default_rng(1)
    starts = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, 200), unit="D")
    frame = pd.DataFrame({
        "id": range(200), "project_id": np.repeat(range(40), 5),
        "project": np.repeat([f"项目{i}" for i in range(40)], 5),
        "milestone": ["节点"] * 200, "district": np.repeat([f"区{i % 8}" for i in range(40)], 5),
        "planned_start": starts, "planned_end": starts + pd.Timedelta(days=60),
        "actual_end": [None] * 200, "percent_complete": rng.uniform(0, 100, 200),
    })
    began = time.perf_counter()
    figure = milestone_gantt(frame, TODAY, group_column="district")
    assert time.perf_counter() - began < 2.0
    assert len(figure.layout.yaxis.ticktext) == 248  # 200 rows + 8 group and 40 project headers, none merged
    assert figure.layout.height == 28 * 248 + 160
    assert sum(len(t.y) for t in figure.data[1:] if t.type == "bar") == 200
