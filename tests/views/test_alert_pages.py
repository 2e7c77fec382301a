"""The alert centre, the rectification board and the rule page through AppTest."""
from sqlalchemy import create_engine, text


def test_alert_centre_counts_by_district_and_bulk_acknowledges(logged_in, app_env):
    at = logged_in("admin", "views/alerts.py")
    assert not at.exception
    assert at.get("plotly_chart"), "counts by district"
    table = at.dataframe(key="alerts_table")
    open_rows = [i for i, status in enumerate(table.value["状态"]) if status == "待处理"][:2]
    assert len(open_rows) == 2
    ids = [int(table.value["ID"].iloc[i]) for i in open_rows]
    at.session_state["alerts_table"] = {"selection": {"rows": open_rows, "columns": []}}
    at.run()
    at.button(key="alerts_bulk_ack").click().run()
    assert "已确认 2 条预警。" in [s.value for s in at.success]
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        statuses = connection.execute(text(f"SELECT status FROM alerts WHERE id IN ({ids[0]}, {ids[1]})")).scalars()
        assert set(statuses) == {"acknowledged"}


def test_an_official_only_sees_own_district_alerts_and_cannot_open_a_foreign_one(logged_in, app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        foreign = connection.execute(text(
            "SELECT a.id FROM alerts a JOIN projects p ON p.id = a.project_id JOIN regions r ON r.id = p.region_id "
            "WHERE r.code <> '410202' LIMIT 1")).scalar()
    at = logged_in("official_longting", "views/alerts.py")
    shown = at.dataframe(key="alerts_table").value
    assert len(shown) > 0 and set(shown["区域"]) == {"龙亭区"}
    at.query_params["alert"] = str(foreign)
    at.run()
    assert any("无权访问" in e.value for e in at.error)


def test_rule_preview_counts_projects_without_saving(logged_in, app_env):
    at = logged_in("admin", "views/rules.py")
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        rules_before = connection.execute(text("SELECT COUNT(*) FROM alert_rules")).scalar()
    at.selectbox(key="rules_choice").select(1).run()  # the budget-overrun rule
    preview = next(b for b in at.button if b.label == "预览命中项目")
    preview.click().run()
    assert at.info[0].value.startswith("该规则现在会对")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM alert_rules")).scalar() == rules_before


def test_a_bad_rule_parameter_is_explained(logged_in):
    at = logged_in("admin", "views/rules.py")
    at.text_area[0].input('{"pct": -1}')
    next(b for b in at.button if b.label == "保存规则").click().run()
    assert any("pct" in e.value and "≥ 0" in e.value for e in at.error)

