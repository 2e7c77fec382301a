"""User text in chart labels: plotly renders <a href>, <img> and <b> in text, hover and tick labels, so every
builder escapes names; the figure shows the characters and carries no live markup."""
import datetime as dt
import json

import pandas as pd
import pytest

from components.bigscreen import ranking_bars, score_trend
from components.charts import alerts_by_district
from components.gantt import milestone_gantt
from components.heatmaps import target_heatmap
from components.scorecard_charts import contribution_bars, indicator_trend
from components.text import html_text, plain
from components.whatif_charts import rank_uncertainty_chart, weight_stability_chart

PAYLOAD = '<a href="http://elsewhere.invalid">x</a><img src=x><b>粗</b>'


def _figures():
    yield "gantt", milestone_gantt(pd.DataFrame({
        "id": [1], "project_id": [10], "project": [PAYLOAD], "milestone": [PAYLOAD], "district": [PAYLOAD],
        "planned_start": [dt.date(2026, 1, 1)], "planned_end": [dt.date(2026, 2, 1)], "actual_end": [None],
        "percent_complete": [50.0]}), dt.date(2026, 1, 15), group_column="district")
    yield "heatmap", target_heatmap(pd.DataFrame([[1.0]], index=[PAYLOAD], columns=[PAYLOAD]), centre=0,
                                    row_ids=[1], col_ids=["KPI"])  # ids travel in customdata, never shown
    yield "ranking", ranking_bars(pd.DataFrame({"name": [PAYLOAD], "score": [90.0], "grade": ["优秀"]}))
    yield "trend", score_trend(pd.DataFrame({"period": [dt.date(2026, 1, 1)], "score": [80.0]}), label=PAYLOAD)
    yield "alerts", alerts_by_district(pd.DataFrame({"district_id": [1], "district": [PAYLOAD], "severity": ["red"],
                                                     "count": [2]}), {"red": "红", "orange": "橙", "yellow": "黄"})
    yield "contribution", contribution_bars(pd.Series([5.0], index=[PAYLOAD]), 5.0, "合格", ids=["KPI"])
    yield "indicator", indicator_trend(pd.DataFrame({"period": [dt.date(2026, 1, 1)], "value": [1.0]}), 2.0,
                                       PAYLOAD, PAYLOAD)
    yield "uncertainty", rank_uncertainty_chart(pd.DataFrame({
        "rank": [1.0], "rank_p5": [1.0], "rank_p50": [1.0], "rank_p95": [2.0], "p_top_k": [0.9],
        "label": [PAYLOAD]}, index=[7]), top_k=1)
    yield "stability", weight_stability_chart(pd.DataFrame({"weight": [0.5], "lower": [0.1], "upper": [0.9]},
                                                           index=["a"]), pd.Series({"a": PAYLOAD}), top_k=1)


@pytest.mark.parametrize("figure", [figure for _, figure in _figures()], ids=[name for name, _ in _figures()])
def test_chart_builders_show_names_as_text_without_live_markup(figure):
    spec = json.dumps(figure.to_plotly_json(), default=str, ensure_ascii=False)
    assert "<a " not in spec and "<img" not in spec and "<b>粗" not in spec
    assert json.dumps(html_text(PAYLOAD), ensure_ascii=False)[1:-1] in spec


def test_html_text_escapes_only_what_plotly_would_read_as_markup():
    assert html_text('<a href="u">&</a>') == '&lt;a href="u"&gt;&amp;&lt;/a&gt;'
    assert plain(42) == "42" and plain("龙亭区") == "龙亭区"
