"""Scorecards and heat maps per role through AppTest: one city at a time, the level always in the URL, clear
refusals with a way back, and no row outside the viewer's scope."""
import json
import re

import pytest
from sqlalchemy import create_engine, text


def _ids(app_env, sql, **params):
    with create_engine(f"sqlite:///{app_env}").connect() as connection:
        return list(connection.execute(text(sql), params).scalars())


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_a_leader_sees_one_city_ranked_among_its_own_districts(logged_in, app_env):
    kaifeng = _ids(app_env, "SELECT name_zh FROM regions WHERE parent_id = 1 AND level = 'district'")
    at = logged_in("leader", "views/scorecards.py")
    assert not at.exception
    assert at.segmented_control(key="scorecard_city").value == 1  # 开封市, the first city
    table = at.dataframe[0].value
    assert sorted(table["区域"]) == sorted(kaifeng) and len(kaifeng) == 9
    assert list(table["排名"]) == [f"第 {n} / 9 名" for n in range(1, 10)]  # never "未排名（共 19 名）"
    assert re.fullmatch(r"第 [1-4] / 4 名", _metric(at, "排名"))  # the city among the four cities
    assert at.query_params["city"] == "1" and "period" in at.query_params

    at.segmented_control(key="scorecard_city").set_value(11).run()  # 湘潭市
    assert sorted(at.dataframe[0].value["区域"]) == sorted(["雨湖区", "岳塘区", "湘潭县", "湘乡市", "韶山市"])
    assert at.query_params["city"] == "11"


def test_an_official_starts_at_their_district_and_sees_no_other_districts_rows(logged_in, app_env):
    longting = set(_ids(app_env, "SELECT p.code FROM projects p JOIN regions r ON r.id = p.region_id "
                                 "WHERE r.code = '410202'"))
    at = logged_in("official_longting", "views/scorecards.py")
    assert not at.exception and not at.error
    assert [s.value for s in at.subheader][0] == "龙亭区"
    codes = set(at.dataframe[0].value["编号"])
    assert codes and codes <= longting
    assert not at.get("segmented_control") or all(c.key != "scorecard_city" for c in at.get("segmented_control"))
    assert "region" not in at.query_params  # their top level: the same page for them from any link
    assert re.fullmatch(r"第 [1-9] / 9 名", _metric(at, "排名"))  # among 开封市's nine districts, never 1 of 1


def test_an_official_asking_for_another_district_is_told_and_offered_the_way_back(logged_in):
    at = logged_in("official_longting", "views/scorecards.py")
    at.query_params["region"] = "4"  # 鼓楼区
    at.run()
    assert [e.value for e in at.error] == ["区域不存在或您无权访问"]
    assert not at.dataframe  # nothing of 鼓楼区 shown
    at.button(key="scorecard_back_to_top").click().run()
    assert not at.exception and not at.error
    assert [s.value for s in at.subheader][0] == "龙亭区"


def test_an_unknown_project_is_refused_with_the_way_back(logged_in):
    at = logged_in("leader", "views/scorecards.py")
    at.query_params["project"] = "999999"
    at.run()
    assert len(at.error) == 1 and "项目不存在" in at.error[0].value
    assert at.button(key="scorecard_back_to_top").label == "返回记分卡首页"


def test_an_unknown_indicator_code_is_said_not_silently_replaced(logged_in):
    at = logged_in("leader", "views/scorecards.py")
    at.query_params["region"] = "2"
    at.query_params["indicator"] = "NO_SUCH_KPI"
    at.run()
    assert [e.value for e in at.error] == ["指标库中没有编号为「NO_SUCH_KPI」的指标：链接可能有误或已过期。"]
    assert not at.dataframe
    at.button(key="scorecard_drop_indicator").click().run()
    assert not at.error and "indicator" not in at.query_params and at.query_params["region"] == "2"


def test_a_heat_map_link_opens_the_district_with_its_month_and_indicator_trend(logged_in):
    at = logged_in("leader", "views/scorecards.py")
    at.query_params["region"] = "2"
    at.query_params["indicator"] = "BUDGET_EXEC"
    at.query_params["period"] = "2026-09"
    at.run()
    assert not at.exception and not at.error
    assert _metric(at, "期间") == "2026年9月"
    assert "链接指定的月份；改选侧栏的月份（现为 2026年11月）即切换。" in [c.value for c in at.caption]
    assert at.selectbox(key="scorecard_indicator").value == "BUDGET_EXEC"
    trend = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert trend["data"][0]["name"].startswith("预算执行率")
    assert at.query_params["indicator"] == "BUDGET_EXEC" and at.query_params["period"] == "2026-09"
    at.selectbox(key="scorecard_indicator").set_value("MS_ONTIME").run()  # the choice goes into the URL
    assert at.query_params["indicator"] == "MS_ONTIME"


def test_a_project_link_keeps_its_level_and_breadcrumbs_lead_back_up(logged_in, app_env):
    project_id = _ids(app_env, "SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id "
                               "WHERE r.code = '410202' AND p.status = 'active' ORDER BY p.id LIMIT 1")[0]
    at = logged_in("leader", "views/scorecards.py")
    at.query_params["project"] = str(project_id)
    at.run()
    assert not at.exception and not at.error
    crumbs = [link for link in at.get("page_link") if link.proto.page == "views/scorecards.py" or
              "scorecards" in link.proto.page]
    assert [link.label for link in crumbs] == ["开封市", "龙亭区"]
    assert at.query_params["project"] == str(project_id) and "indicator" in at.query_params


def test_a_manager_sees_only_the_districts_of_their_projects(logged_in, app_env):
    theirs = set(_ids(app_env, "SELECT DISTINCT r.name_zh FROM projects p JOIN users u ON u.id = p.manager_id "
                               "JOIN regions r ON r.id = p.region_id WHERE u.username = 'pm_kaifeng1'"))
    at = logged_in("pm_kaifeng1", "views/scorecards.py")
    assert not at.exception and not at.error
    shown = set(at.dataframe[0].value["区域"])
    assert shown and shown <= theirs
    assert _metric(at, "排名") == "第 1 / 1 名"  # their one city


@pytest.mark.parametrize("username", ["leader", "official_longting", "pm_kaifeng1"])
def test_heat_map_cells_carry_ids_in_the_viewers_scope(logged_in, app_env, username):
    at = logged_in(username, "views/heatmaps.py")
    assert not at.exception
    district = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert all(cells["type"] == "scatter" and cells["marker"]["symbol"] == "square" for cells in district["data"])
    customdata = [row for cells in district["data"] for row in cells["customdata"]]
    shown = {row[0] for row in customdata}
    if username == "official_longting":
        assert shown == {2}  # 龙亭区 only
    elif username == "pm_kaifeng1":
        assert shown <= set(_ids(app_env, "SELECT DISTINCT r.parent_id FROM projects p JOIN users u ON "
                                          "u.id = p.manager_id JOIN regions r ON r.id = p.region_id "
                                          "WHERE u.username = 'pm_kaifeng1'")) | set(
            _ids(app_env, "SELECT DISTINCT p.region_id FROM projects p JOIN users u ON u.id = p.manager_id "
                          "WHERE u.username = 'pm_kaifeng1'"))
    else:
        assert {2, 12, 18, 23} <= shown <= set(_ids(app_env, "SELECT id FROM regions WHERE level = 'district'"))
    assert {row[1] for row in customdata} <= set(_ids(app_env, "SELECT code FROM indicators"))
