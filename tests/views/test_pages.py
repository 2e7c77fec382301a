"""Pages through AppTest, logged in through the real form (every page for every user: test_every_page_every_user)."""
import json

import pytest


def test_overview_counts_the_leaders_projects(logged_in):
    at = logged_in("leader")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["项目总数"] == "80"
    assert len(at.get("plotly_chart")) == 2  # the score trend and the district ranking


def test_overview_for_an_official_counts_only_own_district(logged_in):
    at = logged_in("official_longting", "views/overview.py")  # officials start at My tasks
    metrics = {m.label: m.value for m in at.metric}
    assert 0 < int(metrics["项目总数"]) < 80


def test_region_and_category_filters_narrow_the_overview(logged_in):
    at = logged_in("leader")
    at.selectbox(key="filter_category").select("culture_tourism").run()
    culture = int({m.label: m.value for m in at.metric}["项目总数"])
    assert 0 < culture < 80
    at.switch_page("views/projects.py").run()  # the filter is kept across pages
    assert at.caption[0].value.startswith(f"{culture} / 80")


def test_projects_table_filters_by_status_and_offers_downloads(logged_in):
    at = logged_in("leader", "views/projects.py")
    assert at.dataframe[0].value.shape[0] == 80
    at.multiselect(key="projects_status").select("completed").run()
    shown = at.dataframe[0].value
    assert 0 < len(shown) < 80 and set(shown["状态"]) == {"已完工"}
    assert len(at.get("download_button")) == 2


def test_map_draws_one_point_per_visible_project(logged_in):
    at = logged_in("official_xuanwu", "views/map.py")
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    points = next(layer for layer in spec["layers"] if layer["id"] == "project-points")["data"]
    assert points and {p["line1"].split(" · ")[0][-2:] for p in points} == {"街道"}  # only Xuanwu's streets


def test_an_official_asking_for_another_districts_project_by_url_gets_a_permission_message(logged_in, app_env):
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        gulou_project = connection.execute(text(
            "SELECT p.id FROM projects p JOIN regions r ON r.id = p.region_id WHERE r.code = '410204' LIMIT 1"
        )).scalar()
    at = logged_in("official_longting", "views/projects.py")
    at.query_params["project"] = str(gulou_project)
    at.run()
    assert any("无权访问" in e.value for e in at.error)
    assert not at.get("metric")  # no detail of the foreign project was drawn
    with engine.connect() as connection:
        denied = connection.execute(text(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied' AND entity_id = :id"),
            {"id": str(gulou_project)}).scalar()
    assert denied == 1


@pytest.mark.parametrize(("username", "forbidden"), [("leader", "views/users.py"), ("leader", "views/audit.py"),
                                                     ("auditor", "views/users.py"),
                                                     ("official_longting", "views/audit.py")])
def test_a_role_cannot_open_a_page_outside_its_list(logged_in, username, forbidden):
    at = logged_in(username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(forbidden)


def test_unreachable_database_is_a_message_not_a_traceback(new_app, monkeypatch):
    from devtools.pg_cluster import _free_port

    monkeypatch.setenv("PERFDASH_DATABASE_URL", f"postgresql+psycopg://nobody@127.0.0.1:{_free_port()}/none")
    at = new_app().run()
    assert not at.exception
    assert at.error[0].value == "数据库暂不可用，请联系管理员（详情见服务器日志）"


def test_a_project_manager_asking_for_someone_elses_project_by_url_gets_a_permission_message(logged_in, app_env):
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        foreign = connection.execute(text(
            "SELECT p.id FROM projects p JOIN users u ON u.id = p.manager_id WHERE u.username <> 'pm_kaifeng1' "
            "LIMIT 1")).scalar()
    at = logged_in("pm_kaifeng1", "views/projects.py")
    at.query_params["project"] = str(foreign)
    at.run()
    assert any("无权访问" in e.value for e in at.error)


def test_admin_creates_a_user_and_a_weak_password_is_explained(logged_in):
    at = logged_in("admin", "views/users.py")
    at.text_input(key="new_username").input("new_analyst")
    at.text_input(key="new_display_name").input("新分析师")
    at.selectbox(key="new_role").select("analyst")
    at.text_input(key="new_password").input("short")
    submit = next(b for b in at.button if b.label == "保存" and b.form_id == "user_create")
    submit.click().run()
    assert any("密码强度不足" in e.value for e in at.error)
    at.text_input(key="new_username").input("new_analyst")
    at.text_input(key="new_display_name").input("新分析师")
    at.text_input(key="new_password").input("Strong#Pass2026")
    next(b for b in at.button if b.label == "保存" and b.form_id == "user_create").click().run()
    assert "已创建用户 new_analyst。" in [s.value for s in at.success]
    assert "new_analyst" in at.dataframe[0].value["用户名"].tolist()


def test_auditor_verifies_the_chain_and_sees_the_anchor_hash(logged_in):
    at = logged_in("auditor", "views/audit.py")
    at.button(key="audit_verify").click().run()
    assert at.success[0].value.startswith("审计链完整")
    assert len(at.code[0].value) == 64
