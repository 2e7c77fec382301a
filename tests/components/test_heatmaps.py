import math

import numpy as np
import pandas as pd
import pytest

from components.colours import GREY, TARGET_COLOURSCALE
from components.heatmaps import GAP_PX, grid_layout, relative_to_target, target_heatmap, wrap_header


def _district_values():
    # rows: district ids; columns: indicator codes; b is lower-is-better (e.g. cost overrun)
    values = pd.DataFrame({"a": [100.0, 110.0, np.nan], "b": [50.0, 40.0, 60.0]}, index=[11, 12, 13])
    targets = pd.Series({"a": 100.0, "b": 50.0})
    directions = pd.Series({"a": "higher", "b": "lower"})
    return values, targets, directions


def _heatmap(lang="zh", **kwargs):
    values, targets, directions = _district_values()
    return target_heatmap(values, targets, directions, row_labels=["龙亭区", "鼓楼区", "顺河区"],
                          col_labels=["投资完成率 (%)", "超支 (万元)"], units=pd.Series({"a": "%", "b": "万元"}),
                          lang=lang, **kwargs)


def test_cells_are_square_markers_on_a_grid_with_ids_first_in_customdata():
    cells = _heatmap().data[0]
    assert cells.type == "scatter" and cells.marker.symbol == "square"
    # row by row, the missing value (row 2, column 0) leaves its cell empty
    assert list(cells.x) == [0, 1, 0, 1, 1] and list(cells.y) == [0, 0, 1, 1, 2]
    assert [tuple(c[:2]) for c in cells.customdata] == [(11, "a"), (11, "b"), (12, "a"), (12, "b"), (13, "b")]


def test_colours_at_hand_computed_achievement_lower_is_better_as_a_ratio():
    cells = _heatmap().data[0]
    # a: 100/100, 110/100; b (lower is better): 50/50, 50/40 = 125 %, 50/60 = 83.33 %
    assert np.allclose(list(cells.marker.color), [100.0, 100.0, 110.0, 125.0, 500 / 6])
    assert (cells.marker.cmin, cells.marker.cmax) == (75.0, 125.0)  # symmetric around 100 → 100 is the neutral middle
    assert cells.marker.colorscale[3] == tuple(TARGET_COLOURSCALE[3])
    assert cells.marker.colorscale[0][1] == "#b2182b" and cells.marker.colorscale[-1][1] == "#2166ac"  # warm below
    assert list(cells.customdata[3]) == [12, "b", "鼓楼区", "超支 (万元)", "40.0 万元", "50.0 万元", "125.0 %"]
    assert list(cells.customdata[4])[6] == "83.3 %"


def test_a_long_delay_against_a_lower_is_better_target_is_a_small_positive_percentage_not_minus_113():
    # the demo's 工期延误天数 in one district: 31.31 days against a target of 10 once showed "−113.1 %"
    # (100 − (31.31 − 10) / 10 × 100); as a ratio it is 10 / 31.31 = 31.9 %
    z, centre = relative_to_target(np.array([[31.31]]), np.array([[10.0]]), np.array([-1.0]), "percent")
    assert centre == 100.0 and z[0, 0] == pytest.approx(31.9387, abs=1e-4)
    figure = target_heatmap(pd.DataFrame({"SCHED_DELAY": [31.31]}), 10.0, pd.Series({"SCHED_DELAY": "lower"}))
    assert figure.data[0].customdata[0][6] == "31.9 %"


def test_no_percentage_against_a_zero_or_negative_target_and_zero_beats_a_lower_target():
    values = np.array([[5.0, 5.0, 0.0, -0.5, -2.0]])
    targets = np.array([[0.0, -4.0, 0.05, 3.0, 4.0]])
    z, _ = relative_to_target(values, targets, np.array([1.0, 1.0, -1.0, -1.0, 1.0]), "percent")
    assert math.isnan(z[0, 0]) and math.isnan(z[0, 1])  # a zero or negative target has no percentage
    assert z[0, 2] == math.inf and z[0, 3] == math.inf  # no incidents / under budget beat a positive target
    assert z[0, 4] == -50.0  # a fall against a growth target of 4 is −50 %: below nothing, and it says so
    figure = target_heatmap(pd.DataFrame({"i": [0.0], "g": [5.0]}), pd.Series({"i": 0.05, "g": 0.0}),
                            pd.Series({"i": "lower", "g": "higher"}))
    judged, unjudged = figure.data
    assert judged.customdata[0][6] == "优于目标（实际值 ≤ 0）" and judged.marker.color[0] == judged.marker.cmax
    assert unjudged.marker.color == GREY and unjudged.customdata[0][6] == "—"  # no target: grey, not "on target"


def test_labels_sit_on_integer_positions_so_duplicate_names_stay_separate():
    values = pd.DataFrame({"a": [1.0, 2.0]}, index=[1, 2])
    figure = target_heatmap(values, 1.0, row_labels=["同名项目", "同名项目"], col_labels=["x (个)"])
    assert list(figure.layout.yaxis.ticktext) == ["同名项目", "同名项目"]
    assert list(figure.layout.yaxis.tickvals) == [0, 1]
    assert list(figure.layout.yaxis.range) == [1.5, -0.5]  # first row on top
    assert [cell[0] for cell in figure.data[0].customdata] == [1, 2]


def test_marker_size_follows_the_cell_size_at_1920_and_390_px():
    rows, cols = ["顺河回族区"] * 19, ["进度计划完成率（%）"] * 26
    wide, narrow = grid_layout(19, rows, cols, 1400), grid_layout(19, rows, cols, 358)
    # left = 10 units × 6.5 + 16 = 81 px; (1400 − 81 − 90 − 8) // 26 = 46 px cells
    assert (wide.left, wide.cell, wide.width) == (81, 46, 81 + 26 * 46 + 98)
    assert narrow.cell == 30 and narrow.width == 81 + 26 * 30 + 98  # the smallest tappable cell: the box scrolls
    figure = target_heatmap(pd.DataFrame(np.ones((19, 26))), 1.0, row_labels=rows, col_labels=cols, width=1400)
    assert figure.data[0].marker.size == 46 - GAP_PX
    assert (figure.layout.width, figure.layout.height) == (wide.width, wide.height)
    assert wide.height == wide.top + 19 * 46 + 8  # the plot area is exactly the grid: cells stay square


def test_column_headers_wrap_with_the_unit_on_its_own_line_and_the_full_name_in_the_hover():
    assert wrap_header("进度计划完成率（%）", 6) == ["进度计", "划完成", "率", "(%)"]
    assert wrap_header("招商引资到位额（万元）", 6, 3) == ["招商引", "资到…", "(万元)"]
    assert wrap_header("2026-10", 6) == ["2026-", "10"]
    assert wrap_header("Budget execution (%)", 10) == ["Budget", "execution", "(%)"]
    figure = target_heatmap(pd.DataFrame({"a": [1.0]}), 1.0, col_labels=["招商引资到位额（万元）"], width=200)
    assert figure.layout.xaxis.tickangle == 0  # never rotated: rotated headers overlapped
    assert figure.data[0].customdata[0][3] == "招商引资到位额（万元）"


def test_english_labels():
    cells = _heatmap("en").data[0]
    assert "Target: %{customdata[5]}" in cells.hovertemplate and "Achievement" in cells.hovertemplate
    assert cells.marker.colorbar.title.text == "% of target"


def test_score_matrix_with_a_centre_threshold():
    scores = pd.DataFrame({"q": [80.0, 92.0, 71.0]}, index=["d1", "d2", "d3"])
    figure = target_heatmap(scores, centre=80, row_labels=["甲", "乙", "丙"], col_labels=["质量 (分)"],
                            scale_title="平均得分")
    cells = figure.data[0]
    assert list(cells.marker.color) == [80.0, 92.0, 71.0]
    assert (cells.marker.cmin, cells.marker.cmax) == (68.0, 92.0)
    assert list(cells.customdata[1])[5:] == ["80.0", "+12.0"]
    assert cells.marker.colorbar.title.text == "平均得分"
    assert "相对目标（正为优于目标）" in cells.hovertemplate


def test_progress_in_points_against_plan():
    actual = pd.DataFrame({"2026-10": [40.0, 55.0], "2026-11": [50.0, 70.0]}, index=["p1", "p2"])
    planned = pd.DataFrame({"2026-10": [45.0, 50.0], "2026-11": [60.0, 65.0]}, index=["p1", "p2"])
    cells = target_heatmap(actual, planned, relative="points", row_ids=[101, 102], col_ids=["2026-10", "2026-11"],
                           lang="en").data[0]
    assert list(cells.marker.color) == [-5.0, -10.0, 5.0, 5.0]
    assert (cells.marker.cmin, cells.marker.cmax) == (-10.0, 10.0)
    assert list(cells.customdata[1])[:2] == [101, "2026-11"]
    assert cells.customdata[1][6] == "-10.0"


def test_percent_colours_saturate_but_hover_keeps_the_exact_figure():
    values = pd.DataFrame({"a": [500.0, 100.0]})
    cells = target_heatmap(values, 100.0).data[0]
    assert (cells.marker.cmin, cells.marker.cmax) == (0.0, 200.0)
    assert cells.marker.color[0] == 200.0
    assert cells.customdata[0][6] == "500.0 %"


def test_a_value_is_written_in_its_cell_only_when_it_fits():
    values = pd.DataFrame({"a": [1.5, 123456.0]})
    cells = target_heatmap(values, 1.0, width=200).data[0]  # 30 px cells hold four 11 px digits, not nine
    assert list(cells.text) == ["1.5", ""]
    assert cells.customdata[1][4] == "123,456.0"  # the hover always has it


def test_bad_arguments_are_refused():
    values, targets, _ = _district_values()
    with pytest.raises(ValueError, match="either targets"):
        target_heatmap(values)
    with pytest.raises(ValueError, match="either targets"):
        target_heatmap(values, targets, centre=80)
    with pytest.raises(ValueError, match="'higher' or 'lower'"):
        target_heatmap(values, targets, pd.Series({"a": "up"}))
    with pytest.raises(ValueError, match="row_ids/col_ids"):
        target_heatmap(values, targets, row_ids=[1, 2])
    with pytest.raises(ValueError, match="col_labels"):
        target_heatmap(values, targets, col_labels=["only one"])
