import datetime as dt

import numpy as np
import pandas as pd
import pytest

from components.colours import GRADE_COLOURS, SLATE
from components.scorecard_charts import contribution_bars, indicator_trend


def _contributions():
    return pd.Series({"进度 (%)": 30.5, "质量 (分)": 40.2, "满意度 (%)": 15.7})


def test_contribution_waterfall_adds_up_to_the_total_shown_with_its_grade():
    bars = contribution_bars(_contributions(), 86.4, "良好", ids=["i1", "i2", "i3"]).data[0]
    assert bars.type == "waterfall" and bars.orientation == "h"
    assert list(bars.measure) == ["relative", "relative", "relative", "total"]
    assert list(bars.y) == ["进度 (%)", "质量 (分)", "满意度 (%)", "总分"]
    assert sum(bars.x[:3]) == pytest.approx(bars.x[3]) == pytest.approx(86.4)
    assert list(bars.text) == ["+30.5", "+40.2", "+15.7", "86.4 分 · 良好"]
    assert [list(c) for c in bars.customdata] == [["i1", "35.3 %"], ["i2", "46.5 %"], ["i3", "18.2 %"],
                                                   [None, "100.0 %"]]
    assert bars.totals.marker.color == GRADE_COLOURS["良好"]
    assert bars.increasing.marker.color == SLATE  # contributions carry no judgement colour


def test_contribution_bars_in_english_and_refusals():
    figure = contribution_bars(_contributions(), 86.4, "良好", "en")
    assert figure.data[0].y[-1] == "Total" and figure.data[0].text[-1] == "86.4 · Good"
    assert figure.layout.xaxis.title.text == "Contribution (points)"
    assert figure.data[0].customdata[0][0] == "进度 (%)"  # ids default to the labels
    with pytest.raises(ValueError, match="not to the total"):
        contribution_bars(_contributions(), 90.0, "优秀")
    with pytest.raises(ValueError, match="scored project"):
        contribution_bars(pd.Series({"a": np.nan}), np.nan, None)


def _history():
    return pd.DataFrame({"period": [dt.date(2026, m, 1) for m in (3, 1, 2, 4)], "value": [3.0, 1.0, 2.0, 4.0]})


def test_indicator_trend_has_target_line_and_unit_in_axis_title():
    figure = indicator_trend(_history(), 2.5, "投资完成率", "%")
    values, target = figure.data
    assert list(values.y) == [1.0, 2.0, 3.0, 4.0]  # sorted by period
    assert list(values.customdata[0]) == ["2026-01-01", "2026年1月", "2.5 %"]
    assert list(target.y) == [2.5] * 4 and target.line.dash == "dash" and target.name == "目标"
    assert figure.layout.yaxis.title.text == "投资完成率（%）"
    assert "投资完成率: %{y:,.1f} %" in values.hovertemplate
    assert figure.layout.xaxis.tickformat == "%Y年%-m月"


def test_moving_target_holds_until_changed_and_english_labels():
    moving = pd.Series([2.0, 3.5], index=[dt.date(2026, 1, 1), dt.date(2026, 3, 1)])
    figure = indicator_trend(_history(), moving, "Completion", "%", "en")
    assert list(figure.data[1].y) == [2.0, 2.0, 3.5, 3.5]
    assert figure.data[1].name == "Target" and figure.layout.yaxis.title.text == "Completion (%)"
    assert figure.data[0].customdata[2][1] == "Mar 2026"
    assert len(indicator_trend(_history(), None, "x", "%").data) == 1


def _ratings():
    return pd.DataFrame({"rater_type": ["self", "peer", "superior", "peer", "expert"],
                         "score": [95.0, 80.0, 85.0, 70.0, 88.0], "rater": [1, 2, 3, 4, 5]})
