"""The analysis views through AppTest: what each shows, scoped to the viewer, and the drill-down in the URL."""
import json

import pytest
from sqlalchemy import create_engine, text


def _project_in(app_env, region_code):
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id WHERE r.code = :c "
            "AND p.status = 'active' LIMIT 1"), {"c": region_code}).scalar()


def test_city_scorecard_ranks_districts_with_of_n(logged_in):
    at = logged_in("leader", "views/scorecards.py")
    table = at.dataframe[0].value
    assert table["排名"].iloc[0].startswith("第 1 / ")
    scored = [score for score in table["得分"] if score != "未评分"]
    assert scored and all("分 · " in score for score in scored)


def test_district_scorecard_from_the_url_lists_only_its_projects(logged_in, app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        longting = connection.execute(text("SELECT id FROM regions WHERE code = '410202'")).scalar()
        codes = set(connection.execute(text(
            "SELECT code FROM projects WHERE region_id = :r"), {"r": longting}).scalars())
    at = logged_in("leader", "views/scorecards.py")
    at.query_params["region"] = str(longting)
    at.run()
    assert not at.exception
    assert set(at.dataframe[0].value["编号"]) <= codes and len(at.dataframe[0].value) > 0


def test_project_scorecard_shows_contributions_that_add_up_to_the_total(logged_in, app_env):
    project_id = _project_in(app_env, "410202")
    at = logged_in("official_longting", "views/scorecards.py")
    at.query_params["project"] = str(project_id)
    at.run()
    assert not at.exception and not at.error
    figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    waterfall = next(trace for f in figures for trace in f["data"] if trace.get("type") == "waterfall")
    assert "进度计划完成率" in waterfall["y"]  # indicator names, by contribution
    score = next(m.value for m in at.metric if m.label == "得分")
    assert "分 · " in score


def test_an_official_cannot_open_another_districts_project_scorecard(logged_in, app_env):
    at = logged_in("official_longting", "views/scorecards.py")
    at.query_params["project"] = str(_project_in(app_env, "410204"))
    at.run()
    assert any("无权访问" in e.value for e in at.error)


def test_heat_map_rows_are_the_officials_own_district_only(logged_in):
    at = logged_in("official_longting", "views/heatmaps.py")
    district = json.loads(at.get("plotly_chart")[0].proto.spec)
    rows = district["layout"]["yaxis"]["ticktext"]
    assert rows == ["龙亭区"]


def test_gantt_marks_overdue_milestones_red(logged_in):
    from components.colours import RED

    at = logged_in("leader", "views/gantt.py")
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    colours = {str(trace.get("marker", {}).get("color")) for trace in figure["data"]}
    assert any(RED.lower() in colour.lower() for colour in colours)


@pytest.mark.parametrize("user", ["leader", "official_gulou"])
def test_big_screen_renders_tiles_map_and_ranking(logged_in, user):
    at = logged_in(user, "views/big_screen.py")
    assert not at.exception
    assert len(at.get("plotly_chart")) >= 2 and len(at.get("deck_gl_json_chart")) == 1  # ranking, trend; map


def test_district_scorecard_shows_mean_contributions_adding_up_to_the_mean_score(logged_in, app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        longting = connection.execute(text("SELECT id FROM regions WHERE code = '410202'")).scalar()
    at = logged_in("leader", "views/scorecards.py")
    at.query_params["region"] = str(longting)
    at.run()
    waterfall = next(trace for chart in at.get("plotly_chart") for trace in json.loads(chart.proto.spec)["data"]
                     if trace.get("type") == "waterfall")
    assert "进度计划完成率" in waterfall["y"]


def test_a_new_project_without_enough_figures_says_why_in_the_users_language_and_which_kpis_are_missing(
        logged_in, app_env):
    import datetime as dt

    from data_access.db import create_database_engine
    from data_access.register import create_project
    from data_access.writes import record_observation
    from tests.conftest import DEMO_UNTIL, as_viewer

    engine = create_database_engine(f"sqlite:///{app_env}")
    official = as_viewer(engine, "official_longting")
    project_id = create_project(engine, official, {
        "code": "P410202-90001", "name_zh": "龙亭新项目", "name_en": "Longting new", "category_id": 1,
        "region_id": official.region_id, "budget": 1_000_000, "planned_start": dt.date(2025, 12, 1),
        "planned_end": dt.date(2027, 6, 30), "status": "active", "lat": 34.83, "lon": 114.335})
    at = logged_in("official_longting", "views/scorecards.py")
    at.query_params["project"] = str(project_id)
    at.run()
    scoring = [info.value for info in at.info if "风险" not in info.value]  # the risk section speaks for itself
    assert scoring == ["本月尚无任何计分指标的数据，暂不评分。"]
    assert [info.value for info in at.info if "风险" in info.value][0].startswith("尚未训练风险预测模型")  # none here

    record_observation(engine, official, project_id=project_id, indicator_code="QUALITY_PASS", period=DEMO_UNTIL,
                       value=98.0)
    engine.dispose()
    at.run()
    message = next(info.value for info in at.info if "风险" not in info.value)
    assert message.startswith("本月数据覆盖 ") and "低于评分所需的 60.0 %，暂不评分。缺少：进度计划完成率、" in message
    assert "工程质量合格率" not in message  # the one KPI with a figure
