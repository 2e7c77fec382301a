"""The map page per role: one city at a time with district boundaries, an official's district only, a
project manager's own sites; the colouring switch and its legend."""
from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from components.colours import GRADE_COLOURS, WARNING_COLOURS, rgb
from components.site_maps import AREA_ALPHA, AREAS_LAYER, LABELS_LAYER, POINTS_LAYER


def _layers(at):
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    return {layer["id"]: layer for layer in spec["layers"]}, spec


def _rows(app_env, sql, **params):
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        return connection.execute(text(sql), params).all()


def _districts_of(app_env, city_code):
    return {row.id for row in _rows(app_env, "SELECT d.id FROM regions d JOIN regions c ON c.id = d.parent_id "
                                             "WHERE c.code = :c AND d.level = 'district'", c=city_code)}


def _projects_under(app_env, code):
    return {row.id for row in _rows(app_env, "SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id "
                                             "WHERE r.path LIKE (SELECT path FROM regions WHERE code = :c) || '%'",
                                    c=code)}


def test_leader_sees_one_city_with_its_district_boundaries_and_a_city_switcher(logged_in, app_env):
    at = logged_in("leader", "views/map.py")
    assert not at.exception
    switcher = at.segmented_control(key="map_city")
    assert len(switcher.options) == 4  # Kaifeng, Xiangtan, Qinzhou, Nanjing
    layers, spec = _layers(at)
    assert list(layers) == [AREAS_LAYER, LABELS_LAYER, POINTS_LAYER]
    assert layers[AREAS_LAYER]["@@type"] == "PolygonLayer" and layers[LABELS_LAYER]["characterSet"] == "auto"
    assert layers[LABELS_LAYER]["fontFamily"].startswith("Noto Sans CJK SC")
    kaifeng = _districts_of(app_env, "410200")
    assert {row["id"] for row in layers[AREAS_LAYER]["data"]} == kaifeng  # all nine, one city only
    assert {row["text"] for row in layers[LABELS_LAYER]["data"]} >= {"龙亭区", "鼓楼区", "兰考县"}
    assert {row["id"] for row in layers[POINTS_LAYER]["data"]} == _projects_under(app_env, "410200")
    view = spec["initialViewState"]
    assert 114.0 < view["longitude"] < 115.0 and 34.3 < view["latitude"] < 35.0 and view["zoom"] >= 8
    assert at.query_params["city"] == str(switcher.value)

    switcher.set_value(_region_id(app_env, "430300")).run()
    layers, spec = _layers(at)
    assert {row["id"] for row in layers[AREAS_LAYER]["data"]} == _districts_of(app_env, "430300")
    assert {row["id"] for row in layers[POINTS_LAYER]["data"]} == _projects_under(app_env, "430300")
    assert 27.5 < spec["initialViewState"]["latitude"] < 28.2
    assert at.query_params["city"] == str(_region_id(app_env, "430300"))


def _region_id(app_env, code):
    return _rows(app_env, "SELECT id FROM regions WHERE code = :c", c=code)[0].id


def test_official_sees_only_their_districts_polygon_and_projects(logged_in, app_env):
    at = logged_in("official_longting", "views/map.py")
    assert not at.exception
    assert not at.get("segmented_control") or all(c.key != "map_city" for c in at.get("segmented_control"))
    layers, spec = _layers(at)
    longting = _region_id(app_env, "410202")
    assert {row["id"] for row in layers[AREAS_LAYER]["data"]} == {longting}
    assert [row["text"] for row in layers[LABELS_LAYER]["data"]] == ["龙亭区"]
    assert {row["id"] for row in layers[POINTS_LAYER]["data"]} == _projects_under(app_env, "410202")
    gulou = _rows(app_env, "SELECT p.id, p.name_zh FROM projects p JOIN regions r ON r.id = p.region_id "
                           "WHERE r.code = '410204' LIMIT 1")[0]
    deck = at.get("deck_gl_json_chart")[0].proto.json
    assert gulou.name_zh not in deck and "鼓楼区" not in deck
    assert gulou.id not in {row["id"] for layer in layers.values() for row in layer["data"]}
    view = spec["initialViewState"]
    assert 114.12 < view["longitude"] < 114.46 and 34.69 < view["latitude"] < 34.94 and view["zoom"] >= 10


def test_project_manager_map_fits_their_own_sites(logged_in, app_env):
    at = logged_in("pm_kaifeng1", "views/map.py")
    assert not at.exception
    layers, spec = _layers(at)
    own = _rows(app_env, "SELECT p.id, p.lat, p.lon FROM projects p JOIN users u ON u.id = p.manager_id "
                         "WHERE u.username = 'pm_kaifeng1'")
    assert {row["id"] for row in layers[POINTS_LAYER]["data"]} == {row.id for row in own}
    view = spec["initialViewState"]
    assert min(r.lon for r in own) - 0.02 < view["longitude"] < max(r.lon for r in own) + 0.02
    assert min(r.lat for r in own) - 0.02 < view["latitude"] < max(r.lat for r in own) + 0.02


def test_colour_switch_recolours_districts_and_swaps_the_legend(logged_in):
    at = logged_in("leader", "views/map.py")
    legend = next(m.value for m in at.markdown if "perfdash-map-legend" in m.value)
    assert "区县平均得分" in legend and "优秀" in legend and "未评分" in legend
    by_grade = {tuple(row["colour"]) for row in _layers(at)[0][AREAS_LAYER]["data"]}
    assert by_grade <= {tuple(rgb(c, AREA_ALPHA)) for c in (*GRADE_COLOURS.values(), "#8c959f")}
    at.segmented_control(key="map_colour").set_value("warning").run()
    legend = next(m.value for m in at.markdown if "perfdash-map-legend" in m.value)
    assert "红色预警" in legend and "无预警" in legend
    by_warning = {tuple(row["colour"]) for row in _layers(at)[0][AREAS_LAYER]["data"]}
    assert by_warning <= {tuple(rgb(c, AREA_ALPHA)) for c in WARNING_COLOURS.values()}
