import numpy as np
import pandas as pd
import pytest

from components.colours import TARGET_COLOURSCALE
from components.heatmaps import target_heatmap


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
                          lang=lang, **kwargs).data[0]


def test_cell_on_target_is_the_neutral_centre_and_lower_is_better_is_mirrored():
    heat = _heatmap()
    z = np.asarray(heat.z, dtype=float)
    assert z[0, 0] == 100.0 and z[0, 1] == 100.0  # exactly on target → neutral
    assert z[1, 0] == 110.0  # 10 % above a higher-is-better target
    assert z[1, 1] == 120.0  # 40 against a lower-is-better 50 is 20 % better
    assert z[2, 1] == 80.0  # 60 against 50, lower is better → 20 % worse
    assert np.isnan(z[2, 0])
    assert (heat.zmin, heat.zmax) == (80.0, 120.0)  # symmetric, so 100 maps to the neutral middle
    assert heat.colorscale[3] == tuple(TARGET_COLOURSCALE[3])
    assert heat.colorscale[0][1] == "#b2182b"  # below target is warm, above is cool
    assert heat.colorscale[-1][1] == "#2166ac"


def test_cells_show_raw_values_and_customdata_carries_ids_labels_value_target():
    heat = _heatmap()
    assert list(heat.text[1]) == ["110.0", "40.0"]
    assert heat.texttemplate == "%{text}"
    assert list(heat.customdata[1][1]) == [12, "b", "鼓楼区", "超支 (万元)", "40.0 万元", "50.0 万元", "120.0 %"]
    assert list(heat.customdata[2][0])[4:] == ["—", "100.0 %", "—"]
    assert "目标: %{customdata[5]}" in heat.hovertemplate
    assert "数值: %{customdata[4]}" in heat.hovertemplate


def test_labels_sit_on_integer_positions_so_duplicate_names_stay_separate():
    values = pd.DataFrame({"a": [1.0, 2.0]}, index=[1, 2])
    figure = target_heatmap(values, 1.0, row_labels=["同名项目", "同名项目"], col_labels=["x (个)"])
    assert list(figure.layout.yaxis.ticktext) == ["同名项目", "同名项目"]
    assert list(figure.layout.yaxis.tickvals) == [0, 1]
    assert figure.layout.yaxis.autorange == "reversed"  # first row on top
    assert [row[0][0] for row in figure.data[0].customdata] == [1, 2]


def test_english_labels():
    heat = _heatmap("en")
    assert "Target: %{customdata[5]}" in heat.hovertemplate and "Achievement" in heat.hovertemplate
    assert heat.colorbar.title.text == "% of target"


def test_score_matrix_with_a_centre_threshold():
    scores = pd.DataFrame({"q": [80.0, 92.0, 71.0]}, index=["d1", "d2", "d3"])
    figure = target_heatmap(scores, centre=80, row_labels=["甲", "乙", "丙"], col_labels=["质量 (分)"],
                            scale_title="平均得分")
    heat = figure.data[0]
    assert list(np.asarray(heat.z, dtype=float)[:, 0]) == [80.0, 92.0, 71.0]
    assert (heat.zmin, heat.zmax) == (68.0, 92.0)
    assert list(heat.customdata[1][0])[5:] == ["80.0", "+12.0"]
    assert heat.colorbar.title.text == "平均得分"
    assert "相对目标（正为优于目标）" in heat.hovertemplate


def test_progress_in_points_against_plan():
    actual = pd.DataFrame({"2026-10": [40.0, 55.0], "2026-11": [50.0, 70.0]}, index=["p1", "p2"])
    planned = pd.DataFrame({"2026-10": [45.0, 50.0], "2026-11": [60.0, 65.0]}, index=["p1", "p2"])
    heat = target_heatmap(actual, planned, relative="points", row_ids=[101, 102], col_ids=["2026-10-01", "2026-11-01"],
                          lang="en").data[0]
    assert np.asarray(heat.z, dtype=float).tolist() == [[-5.0, -10.0], [5.0, 5.0]]
    assert (heat.zmin, heat.zmax) == (-10.0, 10.0)
    assert list(heat.customdata[0][1])[:2] == [101, "2026-11-01"]
    assert heat.customdata[0][1][6] == "-10.0"


def test_percent_colours_saturate_but_hover_keeps_the_exact_figure():
    values = pd.DataFrame({"a": [500.0, 100.0]})
    heat = target_heatmap(values, 100.0).data[0]
    assert (heat.zmin, heat.zmax) == (0.0, 200.0)
    assert heat.z[0][0] == 200.0
    assert heat.customdata[0][0][6] == "500.0 %"


def test_large_matrices_drop_cell_text_but_keep_hover():
    values = pd.DataFrame(np.full((40, 30), 1.0))
    heat = target_heatmap(values, 1.0).data[0]
    assert heat.texttemplate is None and heat.hovertemplate


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
