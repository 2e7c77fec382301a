"""The alert centre and the rectification board read as a newcomer expects: real days open, a readable history,
a district picked from the chart kept in the URL and the sidebar, the most urgent cards first, one page at a time."""
import datetime as dt

import pytest
from sqlalchemy import create_engine, text

from components.alert_tables import board_order
from data_access import alerts as store
from tests.conftest import as_viewer
from webapp.filters import REGION_KEY

ENGLISH_DEFAULTS = {"", "Choose options", "Choose an option", "Select...", "Select…", "No results"}


def _region_id(engine, code: str) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT id FROM regions WHERE code = :code"), {"code": code}).scalar_one()


def test_days_open_is_counted_from_the_opening_of_a_hand_made_alert(logged_in, app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    opened = dt.datetime.now(dt.UTC) - dt.timedelta(days=12, minutes=5)
    with engine.begin() as connection:
        alert_id = connection.execute(text(
            "SELECT a.id FROM alerts a JOIN projects p ON p.id = a.project_id JOIN regions r ON r.id = p.region_id "
            "WHERE r.path LIKE (SELECT path FROM regions WHERE code = '410202') || '%' AND a.status = 'open' "
            "ORDER BY a.id LIMIT 1")).scalar_one()
        connection.execute(text("UPDATE alerts SET opened_at = :opened WHERE id = :id"),
                           {"opened": opened.replace(tzinfo=None), "id": alert_id})
    at = logged_in("official_longting", "views/alerts.py")
    table = at.dataframe(key="alerts_table").value
    days = dict(zip(table["ID"], table["持续天数"], strict=True))
    assert days[alert_id] == 12
    assert set(table["区域"]) == {"龙亭区"}  # an official sees their own district only


def test_the_history_has_catalog_headers_no_none_and_newest_first(logged_in, app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    manager = as_viewer(engine, "pm_kaifeng1")
    alert = store.list_alerts(engine, manager, statuses=["open"]).iloc[0]
    store.transition(engine, manager, int(alert["id"]), int(alert["version"]), "acknowledge")
    alert_id = int(alert["id"])
    at = logged_in("leader", "views/alerts.py")
    at.query_params["alert"] = str(alert_id)
    at.run()
    history = at.dataframe[-1].value  # the list, then the history
    assert list(history.columns) == ["时间", "操作人", "原状态", "新状态", "说明"]
    assert list(history["时间"]) == sorted(history["时间"], reverse=True)
    assert "None" not in history.astype(str).to_numpy().ravel().tolist()
    assert history.iloc[0][["原状态", "新状态"]].tolist() == ["待处理", "已确认"]  # newest first
    assert history.iloc[-1][["操作人", "原状态", "新状态"]].tolist() == ["系统", "—", "待处理"]  # the opening


def test_a_district_in_the_url_filters_the_list_and_the_sidebar_shows_it(logged_in, app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    longting = _region_id(engine, "410202")
    at = logged_in("leader", "views/alerts.py")
    at.query_params["region"] = str(longting)
    at.run()
    assert not at.exception
    assert at.session_state[REGION_KEY] == longting
    assert at.query_params["region"] == str(longting)
    assert set(at.dataframe(key="alerts_table").value["区域"]) == {"龙亭区"}
    at.sidebar.selectbox(key=REGION_KEY).set_value(0).run()  # the sidebar back to every region: the URL follows
    assert "region" not in at.query_params
    assert len(set(at.dataframe(key="alerts_table").value["区域"])) > 1


def test_an_official_cannot_open_another_district_s_alerts_by_url(logged_in, app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    at = logged_in("official_longting", "views/alerts.py")
    at.query_params["region"] = str(_region_id(engine, "430302"))  # 雨湖区, another city
    at.run()
    assert [e.value for e in at.error] == ["区域不存在或您无权访问"]
    assert not at.dataframe


def test_the_district_bars_carry_their_district_id_for_the_click(logged_in, app_env):
    import json

    at = logged_in("leader", "views/alerts.py")
    chart = next(c for c in at.get("plotly_chart") if "alerts_by_district" in c.proto.id)
    figure = json.loads(chart.proto.spec)
    engine = create_engine(f"sqlite:///{app_env}")
    longting = _region_id(engine, "410202")
    names = {tuple(point): label for trace in figure["data"]
             for point, label in zip(trace["customdata"], trace["y"], strict=True)}
    assert names[(longting,)] == "龙亭区"


@pytest.mark.parametrize("username", ["leader", "official_longting", "pm_kaifeng1"])
@pytest.mark.parametrize("page", ["views/alerts.py", "views/rectification.py", "views/gantt.py", "views/inbox.py"])
def test_no_widget_shows_streamlit_s_english_placeholder(logged_in, username, page):
    at = logged_in(username, page)
    assert not at.exception, [e.value for e in at.exception]
    for widget in [*at.multiselect, *at.selectbox]:
        assert widget.proto.placeholder not in ENGLISH_DEFAULTS, (page, widget.label)


def test_the_board_shows_the_most_urgent_cards_first_one_page_at_a_time(logged_in, app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    leader, manager = as_viewer(engine, "leader"), as_viewer(engine, "pm_kaifeng1")
    late = store.list_alerts(engine, manager, statuses=["open"], severities=["yellow", "orange"]).iloc[0]
    version = store.transition(engine, manager, int(late["id"]), int(late["version"]), "acknowledge")
    month_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    store.transition(engine, manager, int(late["id"]), version, "rectify", owner_id=manager.user_id, plan="追赶进度",
                     due_date=dt.date.today() - dt.timedelta(days=5), now=month_ago)
    at = logged_in("leader", "views/rectification.py")
    assert not at.exception
    recent = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    expected = board_order(store.list_alerts(engine, leader, closed_since=recent), dt.date.today())
    expected = expected[expected["status"] != "closed"]
    cards = [int(link.proto.query_string.split("=")[1]) for link in at.get("page_link")
             if link.proto.page.endswith("alerts") or "alert=" in link.proto.query_string]
    assert cards == expected["id"].head(6).tolist()
    assert cards[0] == int(late["id"])  # overdue first, though not red
    assert f"第 1–6 条，共 {len(expected)} 条（逾期和红色预警在前）" in [c.value for c in at.caption]
    at.toggle(key="rect_overdue").set_value(True).run()
    overdue = expected[expected["overdue"]]
    assert overdue["id"].tolist() == [int(late["id"])]
    assert "第 1–1 条，共 1 条（逾期和红色预警在前）" in [c.value for c in at.caption]


def test_an_official_s_board_holds_only_their_district(logged_in):
    at = logged_in("official_longting", "views/rectification.py")
    assert not at.exception
    districts = [c.value.rsplit(" · ", 1)[-1] for c in at.caption if c.value.startswith("P")]
    assert districts and set(districts) == {"龙亭区"}
