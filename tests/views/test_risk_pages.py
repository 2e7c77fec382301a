"""Risk prediction on pages: the overview's ten projects most likely to slip (scoped, escaped, linked to their
scorecard, a sentence each on why), a project's risk on its scorecard, and why nothing shows without a model."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import create_engine, select, update

from components.colours import rgb, risk_colour, risk_label, risk_level
from components.risk_text import probability
from components.site_maps import AREA_ALPHA, AREAS_LAYER, POINT_ALPHA, POINTS_LAYER
from components.text import html_text, plain
from data_access.db import bump_data_version
from data_access.models import Project
from data_access.risk_models import Training, save_trainings
from scoring.risk_features import FEATURES
from services import reporting_calendar, risk
from tests.conftest import as_viewer
from tests.risk_data import trained_on_demo
from tests.views.conftest import open_page_as
from tests.views.pushes import leader_around_a_push

TITLE = "最可能延期的十个项目"
TRICKY_NAME = "**粗体**<b>项目</b>"


@pytest.fixture
def with_models(app_env):
    """The app's database with the models trained on the standard demo's history kept by the analyst now."""
    engine = create_engine(f"sqlite:///{app_env}")
    trainings = [Training(result.target, result.status, result.metrics, list(FEATURES), {}, result.model)
                 for result in trained_on_demo()]
    save_trainings(engine, as_viewer(engine, "analyst"), trainings, read_version=1, now=dt.datetime.now(dt.UTC))
    yield engine
    engine.dispose()


def _predicted(engine, username):
    """The risk the pages show the user today: the outlook's predictions, most likely to slip first."""
    return risk.outlook(engine, as_viewer(engine, username), today=reporting_calendar.today()).predictions


def _risk_links(at):
    return [link.proto for link in at.get("page_link") if "延期概率" in link.proto.label]


def test_a_leader_sees_the_ten_projects_most_likely_to_slip_each_linked_with_a_reason(with_models):
    at = open_page_as("leader", "views/overview.py")
    assert TITLE in [header.value for header in at.subheader]
    links = _risk_links(at)
    assert [link.label.split(" ")[1] for link in links] == _predicted(with_models, "leader")["code"].head(10).tolist()
    assert {link.page for link in links} == {"scorecards"}
    assert all(link.query_string.startswith("project=") and link.query_string[8:].isdigit() for link in links)
    assert [link.label.split(".")[0] for link in links] == [str(rank) for rank in range(1, 11)]
    chances = [link.label.split("延期概率 ")[1].split(" ")[0] for link in links]
    percents = [int(chance.strip("<>%")) for chance in chances]
    assert percents == sorted(percents, reverse=True) and all(chance.endswith("%") for chance in chances)
    captions = [caption.value for caption in at.caption]
    assert any("AUC" in caption and "进度滞后预警规则" in caption for caption in captions)
    assert sum(("落后" in c or "未报" in c or "投资" in c or "里程碑" in c or "工期" in c) for c in captions) >= 10


def test_an_official_sees_only_their_districts_projects_at_risk(with_models):
    at = open_page_as("official_longting", "views/overview.py")
    links = _risk_links(at)
    assert links and all(" · 龙亭区 · " in link.label for link in links)
    with with_models.connect() as connection:
        theirs = set(connection.execute(select(Project.code).where(Project.code.like("P410202-%"))).scalars())
    assert {link.label.split(" ")[1] for link in links} <= theirs


def test_a_project_name_with_markup_is_shown_as_text(with_models):
    first_code = _predicted(with_models, "leader")["code"].iloc[0]  # the overview's first
    with with_models.begin() as connection:
        connection.execute(update(Project).where(Project.code == first_code).values(name_zh=TRICKY_NAME))
        bump_data_version(connection)
    at = open_page_as("leader", "views/overview.py")
    assert _risk_links(at)[0].label.startswith(f"1. {first_code} {plain(TRICKY_NAME)} · ")


@pytest.mark.usefixtures("app_env")
def test_without_a_model_the_overview_says_why_and_lists_no_risk():
    at = open_page_as("leader", "views/overview.py")
    assert TITLE in [header.value for header in at.subheader]
    assert not _risk_links(at)
    assert any("尚未训练风险预测模型" in info.value for info in at.info)


def test_the_scorecard_shows_a_projects_probabilities_and_reasons_in_english(with_models):
    project_id = int(_predicted(with_models, "leader")["project_id"].iloc[0])  # the overview's first
    at = open_page_as("leader", "views/scorecards.py", lang="en", project=project_id)
    labels = {metric.label: metric.value for metric in at.metric}
    assert labels["Probability of finishing more than 30 days late"].endswith("%")
    assert "days" in labels["Expected delay"]
    assert any("raises the risk" in block.value for block in at.markdown)
    trend = next(chart for chart in at.get("plotly_chart") if "project_risk_trend" in chart.proto.id)
    lines = json.loads(trend.proto.spec)["data"]
    assert [line["name"] for line in lines] == ["P(more than 30 days late)", "P(over budget by more than 10 %)"]
    assert all(len(line["customdata"]) >= 2 for line in lines)  # one point per month predicted on, and today


def _wall_risk(at) -> str:
    return next(element.proto.body for element in at.get("html") if "wall-risk" in element.proto.body)


def _wall_lines(at) -> list[str]:
    return _wall_risk(at).split("<li>")[1:]


def test_the_big_screen_lists_the_citys_five_projects_most_likely_to_slip_with_district_chance_and_reason(
        with_models):
    at = open_page_as("leader", "views/big_screen.py")
    predicted = _predicted(with_models, "leader")
    kaifeng = predicted[predicted["code"].str.startswith("P4102")].head(5)  # the wall's city, Kaifeng
    panel = _wall_risk(at)
    assert "最可能延期的项目" in panel and "延期超过 30 天的概率" in panel
    lines = _wall_lines(at)
    assert [line.split('class="rank">')[1].split("<")[0] for line in lines] == ["1", "2", "3", "4", "5"]
    assert [line.split('class="name">')[1].split("<")[0] for line in lines] == kaifeng["name_zh"].tolist()
    assert [line.split('class="district">')[1].split("<")[0] for line in lines] == kaifeng["region_zh"].tolist()
    assert [line.split('class="chance"')[1].split(">")[1].split("<")[0] for line in lines] == [
        html_text(probability(p)) for p in kaifeng["p_late"]]  # ">99%" escaped
    assert all(line.split('class="reason">')[1].split("<")[0] for line in lines)
    assert "尚未训练" not in panel


def test_an_officials_big_screen_lists_only_their_districts_projects_and_escapes_their_names(with_models):
    with with_models.connect() as connection:
        theirs = dict(connection.execute(select(Project.name_zh, Project.id).where(Project.code.like("P410202-%"))
                                         .where(Project.status == "active")).all())
    first = min(theirs.values())
    with with_models.begin() as connection:
        connection.execute(update(Project).where(Project.id == first).values(name_zh=TRICKY_NAME,
                                                                              planned_end=dt.date(2026, 12, 1)))
        bump_data_version(connection)
    at = open_page_as("official_longting", "views/big_screen.py")
    lines = _wall_lines(at)
    assert lines and all('class="district">龙亭区<' in line for line in lines)
    names = {line.split('class="name">')[1].split('<span class="district">')[0] for line in lines}
    assert names <= {*theirs, "**粗体**&lt;b&gt;项目&lt;/b&gt;"}
    assert "<b>项目</b>" not in _wall_risk(at)


@pytest.mark.usefixtures("app_env")
def test_without_a_model_the_big_screen_says_why_in_place_of_the_list():
    at = open_page_as("leader", "views/big_screen.py")
    panel = _wall_risk(at)
    assert "<li>" not in panel and "尚未训练风险预测模型" in panel


def _map_layers(at):
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    return {layer["id"]: layer for layer in spec["layers"]}, at.markdown[-1].value if at.markdown else ""


def test_the_map_colours_points_by_their_chance_of_slipping_and_districts_by_the_mean(with_models):
    at = open_page_as("leader", "views/map.py")
    colouring = at.segmented_control(key="map_colour")
    assert colouring.options == ["按等级", "按预警", "按风险"]
    colouring.set_value("risk").run()
    assert not at.exception
    layers, _ = _map_layers(at)
    chances = _predicted(with_models, "leader").set_index("project_id")["p_late"]
    points = layers[POINTS_LAYER]["data"]
    assert {point["id"] for point in points} & set(chances.index)
    for point in points:
        if point["id"] in chances.index:
            level = risk_level(chances[point["id"]])
            assert point["line4"] == f"延期概率 {probability(chances[point['id']])} · {risk_label(level)}"
            assert point["colour"] == rgb(risk_colour(level), POINT_ALPHA)
        else:  # completed or planned: no prediction
            assert point["line4"] == "无预测（未在建）" and point["colour"] == rgb(risk_colour(None), POINT_ALPHA)
    areas = layers[AREAS_LAYER]["data"]
    assert all(row["line4"].startswith("平均延期概率 ") or row["line4"] == "无预测（未在建）" for row in areas)
    assert all(row["colour"][3] == AREA_ALPHA for row in areas)
    legend = next(block.value for block in at.markdown if "perfdash-map-legend" in block.value)
    assert "延期概率（区县：在建项目平均；圆点：各项目）" in legend and "高风险（≥70%）" in legend


def test_an_officials_risk_map_holds_only_their_districts_projects(with_models):
    at = open_page_as("official_longting", "views/map.py")
    at.segmented_control(key="map_colour").set_value("risk").run()
    layers, _ = _map_layers(at)
    with with_models.connect() as connection:
        theirs = set(connection.execute(select(Project.id).where(Project.code.like("P410202-%"))).scalars())
        gulou = connection.execute(select(Project.name_zh).where(Project.code.like("P410204-%"))).scalars().first()
    assert {row["id"] for row in layers[POINTS_LAYER]["data"]} == theirs
    assert {row["name"] for row in layers[AREAS_LAYER]["data"]} == {"龙亭区"}
    assert gulou not in at.get("deck_gl_json_chart")[0].proto.json


@pytest.mark.usefixtures("app_env")
def test_without_a_model_the_map_offers_no_risk_colouring_and_says_why():
    at = open_page_as("leader", "views/map.py")
    assert at.segmented_control(key="map_colour").options == ["按等级", "按预警"]
    assert any(caption.value.startswith("风险着色暂不可用：尚未训练风险预测模型") for caption in at.caption)


def _preview_risk_rule(at, params: str):
    at.selectbox[1].set_value("risk_above")  # a new rule (the page opens on one)
    at.text_area[0].input(params)
    next(button for button in at.button if button.label == "预览命中项目").click().run()
    return at


@pytest.mark.usefixtures("app_env")
def test_the_rules_page_names_the_risk_rule_and_its_preview_says_there_is_no_model_to_fire_on():
    at = open_page_as("admin", "views/rules.py")
    kinds = at.selectbox[1]
    assert "risk_above" in kinds.options[-1] and kinds.options[-1] == "预测风险超过阈值 (risk_above)"
    _preview_risk_rule(at, '{"pct": 60}')
    assert [error.value for error in at.error] == [
        "暂无可用的风险预测模型（未训练、已过期或未优于进度滞后规则），风险规则无从触发"]


def test_a_risk_rules_preview_counts_the_projects_above_its_threshold(with_models):
    at = _preview_risk_rule(open_page_as("admin", "views/rules.py"), '{"pct": 50, "target": "late"}')
    assert not at.error
    predicted = risk.current_risks(with_models, as_viewer(with_models, "admin"), today=dt.date.today())  # as_of
    above = int((predicted["p_late"] * 100 > 50).sum())
    assert above and at.info[0].value.startswith(f"该规则现在会对 {above} 个项目")


def test_after_a_push_the_leaders_outlook_predicts_only_the_pushed_districts_projects_again(with_models):
    today = reporting_calendar.today()
    at = leader_around_a_push(with_models, ("services.risk", "outlook"), ("webapp.risk_data", "outlook", (today,)))
    _, after = at.session_state["answers"]
    expected = risk.outlook(with_models, as_viewer(with_models, "leader"), today=today)  # read whole, after the push
    pd.testing.assert_frame_equal(after.predictions, expected.predictions)
    by_project = ["project_id", "rank"]
    pd.testing.assert_frame_equal(after.reasons.sort_values(by_project).reset_index(drop=True),
                                  expected.reasons.sort_values(by_project).reset_index(drop=True))
