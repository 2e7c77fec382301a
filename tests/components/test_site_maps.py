import json
import time

import numpy as np
import pandas as pd
import pytest

from components.colours import GRADE_COLOURS, GREY, WARNING_COLOURS, rgb
from components.site_maps import TOOLTIP_HTML, district_columns, fit_view, project_points, site_map, tile_layers


def _projects():
    return pd.DataFrame({
        "id": [1, 2, 3, 4], "name": ["甲", "乙", "丙", "丁"],
        "region": pd.Series(["龙亭区", "龙亭区", "鼓楼区", "鼓楼区"], dtype="string"),
        "category": ["文旅融合"] * 4, "lat": [34.83, 34.80, np.nan, 34.79], "lon": [114.33, 114.35, 114.3, 114.36],
        "budget": [1e8, 4e6, 1e6, 0.0], "score": [92.0, np.nan, 70.0, 55.0],
        "grade": pd.Series(["优秀", None, "合格", "不合格"], dtype="string"), "progress": [62.0, 10.0, 0.0, 35.5],
        "open_warnings": [2, 0, 1, 1], "warning_level": ["red", None, "yellow", "orange"],
    })


def _districts():
    return pd.DataFrame({"id": [5, 6], "name": ["龙亭区", "鼓楼区"], "lat": [34.8, 34.79], "lon": [114.35, 114.36],
                         "projects": [12, 3], "budget": [3.8e8, 1e7], "mean_score": [86.4, np.nan]})


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


def test_district_columns_height_and_grade_colour():
    layer = district_columns(_districts())
    assert layer.type == "ColumnLayer" and layer.pickable and layer.extruded
    first, second = layer.data
    assert (first["id"], first["elevation"], second["elevation"]) == (5, 20000, 5000)
    assert first["colour"] == rgb(GRADE_COLOURS["良好"], 220) and second["colour"] == rgb(GREY, 220)
    assert [first[k] for k in ("line1", "line2", "line3")] == [
        "项目 12 个", "预算 3.80 亿元", "平均得分 86.4 分 · 良好"]
    by_budget = district_columns(_districts(), height_by="budget", lang="en")
    assert [row["elevation"] for row in by_budget.data] == [20000, 526]
    assert by_budget.data[0]["line1"] == "12 projects" and by_budget.data[0]["line3"] == "Mean score 86.4 · Good"


def test_deck_without_tiles_draws_data_only_with_one_tooltip():
    deck = site_map([project_points(_projects()), district_columns(_districts())])
    assert [layer.type for layer in deck.layers] == ["ScatterplotLayer", "ColumnLayer"]
    assert deck.map_provider is None  # no base-map style is fetched from anywhere
    assert deck._tooltip["html"] == TOOLTIP_HTML
    assert deck.initial_view_state.pitch == 45  # columns are 3-D
    assert 34.79 <= deck.initial_view_state.latitude <= 34.83
    assert 114.33 <= deck.initial_view_state.longitude <= 114.36
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
    assert deck.initial_view_state.pitch == 0


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
