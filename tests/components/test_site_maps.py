import json
import time

import numpy as np
import pandas as pd
import pytest

from components.colours import GRADE_COLOURS, GREY, RISK_BANDS, WARNING_COLOURS, rgb
from components.site_maps import (
    AREA_ALPHA,
    AREAS_LAYER,
    LABELS_LAYER,
    POINTS_LAYER,
    TOOLTIP_HTML,
    LegendEntry,
    district_areas,
    district_labels,
    fit_view,
    legend_entries,
    legend_html,
    project_points,
    site_map,
    tile_layers,
    worst_warning,
)


def _projects():
    return pd.DataFrame({
        "id": [1, 2, 3, 4], "name": ["甲", "乙", "丙", "丁"],
        "region": pd.Series(["龙亭区", "龙亭区", "鼓楼区", "鼓楼区"], dtype="string"),
        "category": ["文旅融合"] * 4, "lat": [34.83, 34.80, np.nan, 34.79], "lon": [114.33, 114.35, 114.3, 114.36],
        "budget": [1e8, 4e6, 1e6, 0.0], "score": [92.0, np.nan, 70.0, 55.0],
        "grade": pd.Series(["优秀", None, "合格", "不合格"], dtype="string"), "progress": [62.0, 10.0, 0.0, 35.5],
        "open_warnings": [2, 0, 1, 1], "warning_level": ["red", None, "yellow", "orange"],
    })


def test_points_coloured_by_grade_sized_by_sqrt_budget_with_ids():
    layer = project_points(_projects())
    assert layer.type == "ScatterplotLayer" and layer.pickable
    rows = {row["id"]: row for row in layer.data}
    assert set(rows) == {1, 2, 4}  # no coordinates, no point
    assert rows[1]["colour"] == rgb(GRADE_COLOURS["优秀"], 210)
    assert rows[2]["colour"] == rgb(GREY, 210)  # unscored: grey, never a judgement colour
    assert rows[4]["colour"] == rgb(GRADE_COLOURS["不合格"], 210)
    assert [rows[i]["radius"] for i in (1, 2, 4)] == [460, 140, 60]  # 60 + 40·√(budget / 1e6)
    assert (rows[1]["lon"], rows[1]["lat"]) == (114.33, 34.83)
    assert set(rows[1]) == {"id", "lon", "lat", "colour", "radius", "name", "line1", "line2", "line3", "line4"}


def test_points_coloured_by_warning_level():
    rows = {row["id"]: row for row in project_points(_projects(), colour_by="warning").data}
    assert rows[1]["colour"] == rgb(WARNING_COLOURS["red"], 210)
    assert rows[2]["colour"] == rgb(WARNING_COLOURS["none"], 210)
    assert rows[4]["colour"] == rgb(WARNING_COLOURS["orange"], 210)
    with pytest.raises(ValueError, match="colour_by"):
        project_points(_projects(), colour_by="status")


def test_point_tooltip_lines_in_both_languages():
    zh = {row["id"]: row for row in project_points(_projects()).data}
    assert [zh[1][k] for k in ("name", "line1", "line2", "line3", "line4")] == [
        "甲", "龙亭区 · 文旅融合", "得分 92.0 分 · 优秀", "进度 62.0 % · 预算 1.00 亿元", "未结预警 2 条（红色预警）"]
    assert (zh[2]["line2"], zh[2]["line4"]) == ("未评分", "无预警")
    en = {row["id"]: row for row in project_points(_projects(), lang="en").data}
    assert [en[1][k] for k in ("line2", "line3", "line4")] == [
        "Score 92.0 · Excellent", "Progress 62.0 % · Budget ¥100,000,000", "2 open warnings (Red warning)"]
    assert en[4]["line2"] == "Score 55.0 · Fail"


def test_deck_without_tiles_draws_data_only_with_one_tooltip():
    deck = site_map([district_areas(_areas()), project_points(_projects())])
    assert [layer.type for layer in deck.layers] == ["PolygonLayer", "ScatterplotLayer"]
    assert deck.map_provider is None  # no base-map style is fetched from anywhere
    assert deck._tooltip["html"] == TOOLTIP_HTML
    assert not deck.initial_view_state.pitch  # flat: nothing stands in front of the points
    spec = json.loads(deck.to_json())
    # pydeck's "default style" marker, which Streamlit's front end drops instead of fetching a Carto style
    assert spec["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in spec
    assert all(layer["@@type"] != "BitmapLayer" for layer in spec["layers"])


def test_deck_with_offline_tile_server_puts_tiles_under_the_data():
    deck = site_map([project_points(_projects())], tile_url="http://tiles.intra/{z}/{x}/{y}.png")
    types = [layer.type for layer in deck.layers]
    assert types[-1] == "ScatterplotLayer" and set(types[:-1]) == {"BitmapLayer"}
    assert 1 <= len(types) - 1 <= 64
    assert deck.map_provider is None
    tile = deck.layers[0]
    z, x, y = (int(part) for part in tile.image.removesuffix(".png").split("/")[-3:])
    assert tile.image == f"http://tiles.intra/{z}/{x}/{y}.png"
    west, south, east, north = tile.bounds
    assert west == pytest.approx(x / 2 ** z * 360 - 180) and east - west == pytest.approx(360 / 2 ** z)
    assert south < north
    assert not deck.initial_view_state.pitch


def test_tiles_cover_the_view_and_stay_few():
    layers = tile_layers("http://t/{z}/{x}/{y}.png", (113.5, 34.2, 115.2, 35.1), zoom=9)
    assert len(layers) <= 64
    west = min(layer.bounds[0] for layer in layers)
    east = max(layer.bounds[2] for layer in layers)
    south = min(layer.bounds[1] for layer in layers)
    north = max(layer.bounds[3] for layer in layers)
    assert west <= 113.5 and east >= 115.2 and south <= 34.2 and north >= 35.1
    for template in ("http://tileserver:8080/{z}/{x}/{y}.png", "/tiles/{z}/{x}/{y}.png"):  # intranet, same origin
        spec = json.loads(site_map([project_points(_projects())], tile_url=template).to_json())
        tile = dict(zip("zxy", spec["layers"][0]["id"].split("-")[1:], strict=True))
        assert spec["layers"][0]["image"] == template.format(**tile)
    with pytest.raises(ValueError, match=r"\{z\}"):
        tile_layers("http://t/tiles.png", (113.5, 34.2, 115.2, 35.1), zoom=9)


def test_view_fits_the_extent():
    city = fit_view((113.5, 34.2, 115.2, 35.1))
    district = fit_view((114.30, 34.78, 114.36, 34.83))
    assert 7 < city.zoom < district.zoom <= 15
    assert fit_view(None).zoom == 3.5


def test_five_thousand_points_build_fast_with_minimal_rows():
    rng = np.random.default_rng(0)
    n = 5000
    projects = pd.DataFrame({
        "id": np.arange(n), "name": [f"项目{i}" for i in range(n)], "region": ["龙亭区"] * n, "category": ["文旅"] * n,
        "lat": rng.uniform(34.5, 35.0, n), "lon": rng.uniform(114.0, 114.8, n), "budget": rng.uniform(1e6, 1e9, n),
        "score": rng.uniform(40, 100, n), "grade": rng.choice(["优秀", "良好", "合格", "不合格"], n),
        "progress": rng.uniform(0, 100, n), "open_warnings": rng.integers(0, 3, n),
        "warning_level": rng.choice(["red", "orange", "yellow", None], n),
    })
    began = time.perf_counter()
    deck = site_map([project_points(projects)])
    spec = deck.to_json()
    assert time.perf_counter() - began < 3.0
    assert len(deck.layers[0].data) == n
    assert len(spec) / n < 700  # bytes per point, indented JSON included


SQUARE = [[[114.30, 34.80], [114.36, 34.80], [114.36, 34.85], [114.30, 34.85], [114.30, 34.80]]]
ISLAND = [[[114.40, 34.70], [114.41, 34.70], [114.41, 34.71], [114.40, 34.70]]]


def _areas():
    return pd.DataFrame({
        "id": [5, 6, 7], "name": ["龙亭区", "鼓楼区", "<b>新区</b>"],
        "parts": [[SQUARE], [SQUARE, ISLAND], None],  # 7 has no boundary (a street-level code)
        "label_lon": [114.33, 114.35, np.nan], "label_lat": [34.82, 34.79, np.nan],
        "projects": [12, 3, 0], "budget": [3.8e8, 1e7, 0.0], "mean_score": [86.4, 55.0, np.nan],
        "warnings": [2, 0, 0], "warning_level": ["orange", None, None],
    })


def test_district_areas_coloured_by_grade_one_row_per_part_with_ids_and_tooltips():
    layer = district_areas(_areas())
    assert layer.type == "PolygonLayer" and layer.pickable and layer.id == AREAS_LAYER
    assert [row["id"] for row in layer.data] == [5, 6, 6]  # 鼓楼区 has an island; 7 has no polygon
    first, gulou = layer.data[0], layer.data[1]
    assert first["polygon"] == SQUARE
    assert first["colour"] == rgb(GRADE_COLOURS["良好"], AREA_ALPHA)
    assert gulou["colour"] == rgb(GRADE_COLOURS["不合格"], AREA_ALPHA)
    assert [first[k] for k in ("name", "line1", "line2", "line3", "line4")] == [
        "龙亭区", "平均得分 86.4 分 · 良好", "未结预警 2 条（橙色预警）", "项目 12 个", "预算 3.80 亿元"]
    assert gulou["line2"] == "无预警"


def test_district_areas_coloured_by_most_severe_warning():
    rows = district_areas(_areas(), colour_by="warning", lang="en").data
    assert rows[0]["colour"] == rgb(WARNING_COLOURS["orange"], AREA_ALPHA)
    assert rows[1]["colour"] == rgb(WARNING_COLOURS["none"], AREA_ALPHA)
    assert rows[0]["line1"] == "Mean score 86.4 · Good"
    with pytest.raises(ValueError, match="colour_by"):
        district_areas(_areas(), colour_by="status")


def test_worst_warning_is_the_most_severe_level_present():
    assert worst_warning(pd.Series(["yellow", None, "orange"])) == "orange"
    assert worst_warning(pd.Series(["yellow", "red"])) == "red"
    assert worst_warning(pd.Series([None, None], dtype=object)) is None


def test_district_labels_in_a_local_cjk_font_at_the_label_point():
    layer = district_labels(_areas())
    spec = json.loads(site_map([layer]).to_json())["layers"][0]
    assert spec["@@type"] == "TextLayer" and spec["id"] == LABELS_LAYER
    assert spec["characterSet"] == "auto" and spec["fontFamily"].startswith("Noto Sans CJK SC")
    assert spec["data"] == [{"id": 5, "text": "龙亭区", "lon": 114.33, "lat": 34.82},
                            {"id": 6, "text": "鼓楼区", "lon": 114.35, "lat": 34.79}]
    assert not spec["pickable"]


def test_legend_lists_every_colour_with_its_district_count():
    assert legend_entries(_areas()) == [
        LegendEntry(GRADE_COLOURS["优秀"], "优秀", 0), LegendEntry(GRADE_COLOURS["良好"], "良好", 1),
        LegendEntry(GRADE_COLOURS["合格"], "合格", 0), LegendEntry(GRADE_COLOURS["不合格"], "不合格", 1),
        LegendEntry(GREY, "未评分", 1)]
    assert legend_entries(_areas(), "warning", "en") == [
        LegendEntry(WARNING_COLOURS["red"], "Red warning", 0),
        LegendEntry(WARNING_COLOURS["orange"], "Orange warning", 1),
        LegendEntry(WARNING_COLOURS["yellow"], "Yellow warning", 0),
        LegendEntry(WARNING_COLOURS["none"], "No warning", 2)]


def test_legend_html_escapes_labels_and_carries_the_count():
    html = legend_html("<i>标题</i>", [LegendEntry("#2da44e", "<b>优秀</b>", 3)])
    assert "<i>" not in html and "&lt;i&gt;标题" in html and "&lt;b&gt;优秀&lt;/b&gt; <b>3</b>" in html
    assert "background:#2da44e" in html and "flex-wrap:wrap" in html
    assert "color:#f0f6fc" in legend_html("t", [], dark=True)


def test_view_fits_the_district_polygons_under_the_points():
    deck = site_map([district_areas(_areas()), project_points(_projects())])
    view = deck.initial_view_state
    assert 114.30 <= view.longitude <= 114.41 and 34.70 <= view.latitude <= 34.85
    assert [layer.id for layer in deck.layers] == [AREAS_LAYER, POINTS_LAYER]  # points drawn on top
    pinned = site_map([district_areas(_areas())], extent=(114.33, 34.82, 114.34, 34.83), viewport=(360, 400))
    assert pinned.initial_view_state.longitude == pytest.approx(114.335)
    assert pinned.initial_view_state.zoom > view.zoom
    assert fit_view((114.30, 34.78, 114.36, 34.83), viewport=(360, 640)).zoom < fit_view(
        (114.30, 34.78, 114.36, 34.83)).zoom  # a phone needs a wider view for the same district


def test_points_coloured_by_their_chance_of_slipping_with_the_chance_in_the_tooltip():
    rows = {row["id"]: row for row in project_points(_projects().assign(p_late=[0.87, np.nan, 0.5, 0.1]),
                                                     colour_by="risk").data}
    high, low = RISK_BANDS[0][2], RISK_BANDS[3][2]
    assert rows[1]["colour"] == rgb(high, 210) and rows[4]["colour"] == rgb(low, 210)
    assert rows[2]["colour"] == rgb(GREY, 210)  # not under way: no prediction
    assert (rows[1]["line4"], rows[2]["line4"], rows[4]["line4"]) == (
        "延期概率 87% · 高风险（≥70%）", "无预测（未在建）", "延期概率 10% · 低风险（<30%）")
    assert rows[1]["line1"] == "龙亭区 · 文旅融合"  # the other lines as in every colouring


def _risky_areas():
    return _areas().assign(risk_mean=[0.62, 0.2, np.nan], predicted=[8, 3, 0], at_risk=[5, 0, 0])


def test_districts_coloured_by_the_mean_chance_of_their_projects_under_way():
    rows = district_areas(_risky_areas(), colour_by="risk", lang="en").data
    assert [row["id"] for row in rows] == [5, 6, 6]
    assert rows[0]["colour"] == rgb(RISK_BANDS[1][2], AREA_ALPHA) and rows[1]["colour"] == rgb(RISK_BANDS[3][2],
                                                                                               AREA_ALPHA)
    assert rows[0]["line4"] == "Mean P(late) 62% · Elevated (50–70 %) · 5 of 8 under way likely to slip (≥ 50 %)"
    assert rows[0]["line1"] == "Mean score 86.4 · Good"
    assert legend_entries(_risky_areas(), "risk") == [
        LegendEntry(RISK_BANDS[0][2], "高风险（≥70%）", 0), LegendEntry(RISK_BANDS[1][2], "较高风险（50%–70%）", 1),
        LegendEntry(RISK_BANDS[2][2], "中等风险（30%–50%）", 0), LegendEntry(RISK_BANDS[3][2], "低风险（<30%）", 1),
        LegendEntry(GREY, "无预测（未在建）", 1)]
