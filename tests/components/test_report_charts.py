import math

import numpy as np
import pandas as pd

from components.colours import AMBER, BLUE, GREEN, GREY, TARGET_COLOURSCALE
from components.report_charts import achievement_heatmap, district_bars, district_map

SQUARE = [[[[114.0, 34.0], [114.1, 34.0], [114.1, 34.1], [114.0, 34.1], [114.0, 34.0]]]]
OTHER = [[[[114.1, 34.0], [114.2, 34.0], [114.2, 34.1], [114.1, 34.1], [114.1, 34.0]]]]


def test_district_bars_are_best_first_coloured_by_grade_and_carry_score_and_grade_in_words():
    figure = district_bars(["东区", "西区", "北区", "南区"], [85.0, 92.5, float("nan"), 70.0],
                           ["良好", "优秀", None, "合格"], "zh", highlight=0)
    bars = figure.data[0]
    assert list(bars.y) == ["西区", "东区", "南区", "北区"]  # best first, unscored last
    assert list(bars.x) == [92.5, 85.0, 70.0, 55.0]  # the unscored one has no length at the axis' start
    assert tuple(figure.layout.xaxis.range) == (55.0, 105)  # near the data: 70 − (92.5 − 70) / 2, down to a 5
    assert list(bars.text) == ["92.5 优秀", "85.0 良好", "70.0 合格", "未评分"]
    assert list(bars.marker.color) == [GREEN, BLUE, AMBER, GREY]
    assert list(bars.marker.line.width) == [0, 3, 0, 0]  # the report's own district (东区) is outlined


def test_district_bars_escape_names_and_speak_english():
    bars = district_bars(["<b>East</b>"], [95.0], ["优秀"], "en").data[0]
    assert list(bars.y) == ["&lt;b&gt;East&lt;/b&gt;"] and list(bars.text) == ["95.0 Excellent"]


def test_the_heatmap_colours_percent_of_target_with_lower_is_better_as_a_ratio():
    values = pd.DataFrame({"a": [100.0, 120.0], "b": [40.0, np.nan]}, index=[1, 2])
    targets = pd.DataFrame({"a": [100.0, 100.0], "b": [50.0, 50.0]}, index=[1, 2])
    figure = achievement_heatmap(values, targets, pd.Series({"a": "higher", "b": "lower"}),
                                 row_labels=["龙亭区", "鼓楼区"], col_labels=["完成率（%）", "延误（天）"], lang="zh")
    cells = figure.data[0]
    assert cells.type == "heatmap"
    assert np.allclose(np.asarray(cells.z, dtype=float)[0], [100.0, 125.0])
    assert cells.z[1][0] == 120.0 and math.isnan(cells.z[1][1])
    assert (cells.zmin, cells.zmax) == (75.0, 125.0)  # symmetric around 100: the target is the neutral middle
    assert [list(row) for row in cells.text] == [["100", "125"], ["120", ""]]
    assert cells.colorscale[0][1] == TARGET_COLOURSCALE[0][1] and list(cells.y) == ["龙亭区", "鼓楼区"]


def test_a_lower_is_better_zero_beats_the_target_and_is_drawn_in_the_best_colour():
    figure = achievement_heatmap(pd.DataFrame({"incidents": [0.0, 2.0]}), pd.DataFrame({"incidents": [1.0, 1.0]}),
                                 pd.Series({"incidents": "lower"}), row_labels=["a", "b"], col_labels=["事故（起）"],
                                 lang="en")
    cells = figure.data[0]
    assert [list(row) for row in cells.text] == [["∞"], ["50"]]
    assert cells.z[0][0] == cells.zmax and figure.data[0].colorbar.title.text == "Of target (%)"


def _districts() -> pd.DataFrame:
    return pd.DataFrame({"id": [2, 3, 4], "name": ["龙亭区", "顺河区", "无边界区"], "parts": [SQUARE, OTHER, None],
                         "label_lon": [114.05, 114.15, 114.3], "label_lat": [34.05, 34.05, 34.05],
                         "score": [94.9, 72.0, float("nan")], "grade": ["优秀", "合格", None]})


def test_the_map_has_one_filled_polygon_per_district_with_a_boundary_coloured_by_grade():
    figure = district_map(_districts(), "zh")
    polygons = [trace for trace in figure.data if trace.fill == "toself"]
    assert [trace.name for trace in polygons] == ["龙亭区", "顺河区"]
    assert [trace.fillcolor for trace in polygons] == [GREEN, AMBER]
    assert list(polygons[0].x) == [114.0, 114.1, 114.1, 114.0, 114.0, None]


def test_every_district_is_labelled_with_name_score_and_grade_and_the_legend_names_every_grade():
    figure = district_map(_districts(), "zh")
    labels = next(trace for trace in figure.data if trace.mode == "text")
    assert list(labels.text) == ["<b>龙亭区</b><br>94.9 优秀", "<b>顺河区</b><br>72.0 合格",
                                 "<b>无边界区</b><br>未评分"]
    legend = [trace.name for trace in figure.data if trace.mode == "markers"]
    assert legend == ["优秀", "良好", "合格", "不合格", "未评分"]


def test_a_small_districts_label_is_called_out_of_its_cluster_with_a_line_to_it():
    big = [[[[113.0, 33.0], [115.0, 33.0], [115.0, 35.0], [113.0, 35.0], [113.0, 33.0]]]]
    tiny_west = [[[[113.9, 34.0], [113.95, 34.0], [113.95, 34.05], [113.9, 34.05], [113.9, 34.0]]]]
    tiny_east = [[[[114.05, 34.0], [114.1, 34.0], [114.1, 34.05], [114.05, 34.05], [114.05, 34.0]]]]
    districts = pd.DataFrame({"id": [1, 2, 3], "name": ["大县", "西区", "东区"], "parts": [big, tiny_west, tiny_east],
                              "label_lon": [114.5, 113.925, 114.075], "label_lat": [34.5, 34.025, 34.025],
                              "score": [91.0, 85.0, 62.0], "grade": ["优秀", "良好", "合格"]})
    figure = district_map(districts, "zh")
    in_place = next(trace for trace in figure.data if trace.mode == "text")
    assert list(in_place.text) == ["<b>大县</b><br>91.0 优秀"]
    callouts = figure.layout.annotations
    assert [note.text for note in callouts] == ["<b>西区</b><br>85.0 良好", "<b>东区</b><br>62.0 合格"]
    assert [(note.x, note.y) for note in callouts] == [(113.925, 34.025), (114.075, 34.025)]
    assert callouts[0].ax < 0 < callouts[1].ax and all(note.showarrow for note in callouts)  # pushed apart


def test_the_reports_own_district_is_outlined_and_drawn_last():
    figure = district_map(_districts(), "en", highlight=2)
    polygons = [trace for trace in figure.data if trace.fill == "toself"]
    assert [trace.name for trace in polygons] == ["顺河区", "龙亭区"]
    assert polygons[-1].line.width == 3 and polygons[0].line.width == 1.2
    assert figure.layout.legend.title.text == "Grade"
