"""The Gantt and the inbox a page at a time: how many pages, which rows, in what order."""
import math

from sqlalchemy import create_engine, text


def test_the_gantt_shows_eight_projects_a_page_with_a_pager(logged_in, app_env):
    at = logged_in("leader", "views/gantt.py")
    assert not at.exception
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        live = connection.execute(text("SELECT COUNT(*) FROM projects WHERE status IN ('active', 'suspended')")
                                  ).scalar_one()
    pages = math.ceil(live / 8)
    assert f"第 1–{min(8, live)} 个项目，共 {live} 个（按计划完工日期）" in [c.value for c in at.caption]
    if pages > 1:
        pager = at.number_input(key="gantt_page_district")
        assert pager.label == f"页码 (1–{pages})"
        pager.set_value(pages).run()
        first = 8 * (pages - 1) + 1
        assert f"第 {first}–{live} 个项目，共 {live} 个（按计划完工日期）" in [c.value for c in at.caption]


def test_an_official_s_gantt_holds_only_their_district(logged_in):
    import json

    at = logged_in("official_longting", "views/gantt.py")
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    projects = [note["text"] for note in figure["layout"]["annotations"][1:]]  # after the today label
    assert projects and all(label.startswith("<b>P410202-") for label in projects), projects  # 龙亭区's codes


def test_the_inbox_shows_six_messages_a_page_newest_first(logged_in, app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        user_id, count = connection.execute(text(
            "SELECT n.user_id, COUNT(*) FROM notifications n GROUP BY n.user_id ORDER BY COUNT(*) DESC LIMIT 1")).one()
        username = connection.execute(text("SELECT username FROM users WHERE id = :id"), {"id": user_id}).scalar_one()
    at = logged_in(username, "views/inbox.py")
    assert not at.exception
    assert f"第 1–{min(6, count)} 条，共 {count} 条（最新在前）" in [c.value for c in at.caption]
    at.toggle(key="inbox_unread_only").set_value(True).run()
    assert not at.exception
