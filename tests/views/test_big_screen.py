"""The big screen per role: one city for a leader, an official's district framed against its peers, the URL
holding the wall's configuration, and a click on a ranking bar opening the district's scorecard."""
import json

import pytest
from sqlalchemy import create_engine, text

from webapp.settings import big_screen_rotation
from webapp.wall import WallConfig, parse_every, parse_rotation, parse_scale


def _html(at):
    return " ".join(element.proto.body for element in at.get("html"))


def _ranking(at):
    return next(json.loads(chart.proto.spec) for chart in at.get("plotly_chart") if "wall_ranking" in chart.proto.id)


def _region(app_env, code):
    with create_engine(f"sqlite:///{app_env}").connect() as connection:
        return connection.execute(text("SELECT id FROM regions WHERE code = :code"), {"code": code}).scalar()


@pytest.mark.parametrize("user", ["leader", "analyst", "official_longting", "pm_kaifeng1"])
def test_the_big_screen_opens_for_every_role_with_kpis_ranking_warnings_and_trend(logged_in, user):
    at = logged_in(user, "views/big_screen.py")
    assert not at.exception
    page = _html(at)
    assert "wall-title" in page and page.count('class="wall-kpi"') == 5 and "wall-ticker" in page
    assert len(at.get("plotly_chart")) >= 2 and len(at.get("deck_gl_json_chart")) == 1  # ranking, trend; map


@pytest.mark.parametrize(("scale", "label_px"), [(None, 18), ("2", 36)])
def test_the_walls_map_names_districts_in_at_least_16_px_scaled_with_the_screen(logged_in, scale, label_px):
    at = logged_in("leader", "views/big_screen.py")
    if scale:
        at.query_params["scale"] = scale
        at.run()
    layers = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"]
    assert [layer["getSize"] for layer in layers if layer["@@type"] == "TextLayer"] == [label_px]


def test_a_leaders_wall_shows_one_city_and_ranks_its_districts(logged_in, app_env):
    at = logged_in("leader", "views/big_screen.py")
    kaifeng = _region(app_env, "410200")
    assert at.query_params["city"] == str(kaifeng) and "开封市" in _html(at)
    bars = _ranking(at)["data"][0]
    with create_engine(f"sqlite:///{app_env}").connect() as connection:
        districts = set(connection.execute(
            text("SELECT id FROM regions WHERE parent_id = :city AND level = 'district'"), {"city": kaifeng}).scalars())
    assert {row[0] for row in bars["customdata"]} <= districts and len(bars["customdata"]) >= 5


def test_an_officials_wall_ranks_their_district_among_the_citys_districts(logged_in, app_env):
    at = logged_in("official_longting", "views/big_screen.py")
    bars = _ranking(at)["data"][0]
    ids = [row[0] for row in bars["customdata"]]
    longting = _region(app_env, "410202")
    assert longting in ids and len(ids) > 1  # not a one-bar ranking
    rank = ids.index(longting) + 1
    assert f"第 {rank} / {len(ids)} 名" in _html(at) and "未排名" not in _html(at)
    assert any(tick.startswith("▶ ") for tick in _ranking(at)["layout"]["yaxis"]["ticktext"])


def test_the_rotation_and_its_seconds_come_from_the_url_and_fall_back_on_the_settings(monkeypatch):
    assert parse_rotation("ranking,map,bogus,map") == ("ranking", "map")
    assert parse_rotation("1") == ("map", "heat") and parse_rotation("x") is None and parse_rotation(None) is None
    assert (parse_every("30"), parse_every("2"), parse_every("99999"), parse_every("３０"), parse_every("-5")) == (
        30.0, 10.0, 3600.0, None, None)
    assert (parse_scale("2"), parse_scale("nan"), parse_scale("x"), parse_scale(None), parse_scale("100")) == (
        2.0, 1.0, 1.0, 1.0, 4.0)
    config = WallConfig(("map", "heat", "ranking"), 30.0)
    assert [config.panel_at(t) for t in (0, 29.9, 30, 65, 90)] == ["map", "map", "heat", "ranking", "map"]
    assert WallConfig(("map", "heat"), None).panel_at(1e9) == "map"
    for setting, panels in (("1", ["map", "heat"]), ("heat,ranking", ["heat", "ranking"]), ("", [])):
        monkeypatch.setenv("PERFDASH_BIG_SCREEN_ROTATE", setting)
        assert big_screen_rotation() == panels


@pytest.mark.parametrize(("rotate", "every", "expected"), [("heat", "30", "plotly"), ("ranking", None, "plotly"),
                                                             ("map", None, "deck")])
def test_a_configured_wall_shows_the_centre_panel_its_url_names(logged_in, rotate, every, expected):
    at = logged_in("leader", "views/big_screen.py")
    at.query_params["rotate"] = rotate
    if every:
        at.query_params["every"] = every
    at.run()
    assert not at.exception
    assert len(at.get("deck_gl_json_chart")) == (1 if expected == "deck" else 0)
    assert len(at.get("plotly_chart")) == (2 if expected == "deck" else 3)
