"""The project register page through AppTest: who has it, what each role may create where, the template,
status moves with confirmation, milestone order, and an edit conflict that shows both versions."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from data_access import create_database_engine, reads, update_project
from data_access import register as project_register
from tests.conftest import as_viewer

PAGE = "views/register.py"


def _engine(app_env):
    return create_engine(f"sqlite:///{app_env}")


def _scalar(app_env, sql, **params):
    with _engine(app_env).connect() as connection:
        return connection.execute(text(sql), params).scalar()


def _button(at, label):
    return next(button for button in at.button if button.label == label)


def _fill_new_project(at, code):
    at.text_input(key="register_new_code").input(code)
    at.text_input(key="register_new_name_zh").input("龙亭湖游客中心")
    at.text_input(key="register_new_name_en").input("Longting lake visitor centre")
    at.text_input(key="register_new_budget").input("1234.5678")
    at.date_input(key="register_new_start").set_value(dt.date(2026, 12, 1))
    at.date_input(key="register_new_end").set_value(dt.date(2027, 12, 31))
    return at


@pytest.mark.parametrize("username", ["leader", "auditor", "pm_kaifeng1"])
def test_roles_without_project_edit_rights_have_no_register(logged_in, username):
    at = logged_in(username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


@pytest.mark.parametrize("username", ["admin", "analyst", "official_longting"])
def test_the_register_opens_for_admin_analyst_and_official_with_their_own_projects(logged_in, app_env, username):
    at = logged_in(username, PAGE)
    assert not at.exception and not at.error
    codes = set(at.dataframe[0].value["编号"])
    region_filter = "" if username != "official_longting" else "WHERE r.code = '410202'"
    expected = {row[0] for row in _engine(app_env).connect().execute(text(
        f"SELECT p.code FROM projects p JOIN regions r ON r.id = p.region_id {region_filter}"))}
    assert codes == expected and codes


def test_an_official_is_offered_only_their_district_and_creates_a_project_there_with_the_template(logged_in,
                                                                                                   app_env):
    at = logged_in("official_longting", PAGE)
    regions = at.selectbox(key="register_new_region")
    assert regions.options == ["龙亭区"]  # no other district, not the city
    _fill_new_project(at, "P410202-09001")
    _button(at, "新建项目").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "项目 P410202-09001 已创建。" in [s.value for s in at.success]
    row = _engine(app_env).connect().execute(text(
        "SELECT p.id, p.budget, r.code FROM projects p JOIN regions r ON r.id = p.region_id "
        "WHERE p.code = 'P410202-09001'")).one()
    assert (Decimal(str(row.budget)), row.code) == (Decimal("12345678.00"), "410202")
    weights = dict(_engine(app_env).connect().execute(text(
        "SELECT i.code, t.weight_override FROM project_targets t JOIN indicators i ON i.id = t.indicator_id "
        "WHERE t.project_id = :p"), {"p": row.id}).all())
    assert weights["PROG_RATIO"] == 3.0 and weights["VISITOR_GROWTH"] == 2.0  # culture_tourism, the first category


def test_a_forged_region_from_an_official_is_refused_by_the_data_layer(app_env):
    engine = create_database_engine(f"sqlite:///{app_env}")
    official = as_viewer(engine, "official_longting")
    gulou = _scalar(app_env, "SELECT id FROM regions WHERE code = '410204'")
    culture = _scalar(app_env, "SELECT id FROM categories WHERE code = 'culture_tourism'")
    with pytest.raises(project_register.ProjectProblems) as caught:
        project_register.create_project(engine, official, {
            "code": "P410204-09001", "name_zh": "x", "name_en": "x", "category_id": culture, "region_id": gulou,
            "budget": 1, "planned_start": dt.date(2027, 1, 1), "planned_end": dt.date(2027, 2, 1),
            "lat": 34.788, "lon": 114.348})
    assert caught.value.problems == [("region_id", "区域不存在或您无权访问",
                                      "No such region, or you may not access it")]
    assert _scalar(app_env, "SELECT COUNT(*) FROM projects WHERE code = 'P410204-09001'") == 0


def test_every_problem_of_a_bad_new_project_is_shown_at_once(logged_in, app_env):
    at = logged_in("analyst", PAGE)
    _fill_new_project(at, "bad code")
    at.text_input(key="register_new_budget").input("-3")
    at.date_input(key="register_new_end").set_value(dt.date(2026, 1, 1))
    _button(at, "新建项目").click().run()
    [error] = at.error
    assert "项目编号 bad code 不符合格式" in error.value
    assert "预算不能为负数" in error.value and "计划完成日期早于计划开工日期" in error.value
    assert _scalar(app_env, "SELECT COUNT(*) FROM projects") == 80


def _choose_first_project(at, code_prefix="P410202"):
    """Pick the first project whose code starts with ``code_prefix``; returns its code."""
    box = at.selectbox(key="register_selected")
    index = next(i for i, label in enumerate(box.options) if label.startswith(code_prefix))
    box.select_index(index).run()
    return box.options[index].split(" ")[0]


def test_a_conflicting_edit_shows_both_versions_and_overwrites_nothing(logged_in, app_env):
    at = logged_in("admin", PAGE)
    code = _choose_first_project(at)
    project_id, version, name = _engine(app_env).connect().execute(text(
        "SELECT id, version, name_zh FROM projects WHERE code = :c"), {"c": code}).one()
    engine = create_database_engine(f"sqlite:///{app_env}")
    update_project(engine, as_viewer(engine, "analyst"), project_id, version, {"name_zh": "他人的名称"})
    form_name = next(box for box in at.text_input if box.label == "中文名称" and box.value == name)
    form_name.input("我的名称")
    _button(at, "保存").click().run()
    assert any("他人已修改并保存了该项目" in w.value for w in at.warning)
    table = next(frame.value for frame in at.dataframe if "字段" in frame.value.columns).set_index("字段")
    assert (table.loc["中文名称", "您的修改（未保存）"], table.loc["中文名称", "≠"]) == ("我的名称", "≠")
    assert table.loc["中文名称"].iloc[1] == "他人的名称" and table.loc["英文名称", "≠"] == ""
    assert _scalar(app_env, "SELECT name_zh FROM projects WHERE id = :p", p=project_id) == "他人的名称"


def test_archiving_needs_a_confirmation_and_the_archived_project_shows_only_behind_the_toggle(logged_in, app_env):
    at = logged_in("admin", PAGE)
    code = _choose_first_project(at)
    project_id = _scalar(app_env, "SELECT id FROM projects WHERE code = :c", c=code)
    at.radio(key=f"register_move_{project_id}").set_value("archived").run()
    assert at.button(key=f"register_move_apply_{project_id}").disabled
    at.checkbox(key=f"register_move_confirm_{project_id}").check().run()
    at.button(key=f"register_move_apply_{project_id}").click().run()
    assert _scalar(app_env, "SELECT status FROM projects WHERE id = :p", p=project_id) == "archived"
    assert code not in set(at.dataframe[0].value["编号"])
    at.toggle(key="register_show_archived").set_value(True).run()
    assert code in set(at.dataframe[0].value["编号"])


def test_moving_a_milestone_down_swaps_it_with_the_next(logged_in, app_env):
    at = logged_in("official_longting", PAGE)
    code = _choose_first_project(at)
    project_id = _scalar(app_env, "SELECT id FROM projects WHERE code = :c", c=code)
    order = [row[0] for row in _engine(app_env).connect().execute(text(
        "SELECT id FROM milestones WHERE project_id = :p ORDER BY seq"), {"p": project_id})]
    _button(at, "下移").click().run()
    assert not at.exception and not at.error
    now = [row[0] for row in _engine(app_env).connect().execute(text(
        "SELECT id FROM milestones WHERE project_id = :p ORDER BY seq"), {"p": project_id})]
    assert now == [order[1], order[0], *order[2:]]


def test_after_a_conflict_the_saved_version_can_be_loaded_and_edited(logged_in, app_env):
    at = logged_in("admin", PAGE)
    code = _choose_first_project(at)
    project_id, version = _engine(app_env).connect().execute(text(
        "SELECT id, version FROM projects WHERE code = :c"), {"c": code}).one()
    engine = create_database_engine(f"sqlite:///{app_env}")
    update_project(engine, as_viewer(engine, "analyst"), project_id, version, {"name_zh": "他人的名称"})
    next(box for box in at.text_input if box.label == "中文名称" and box.key is None).input("我的名称")
    _button(at, "保存").click().run()
    _button(at, "载入已保存的版本并重新编辑").click().run()
    edit_form_name = next(box for box in at.text_input if box.label == "中文名称" and box.key is None)
    assert edit_form_name.value == "他人的名称"  # the saved version, ready to edit again
    next(box for box in at.text_input if box.label == "中文名称" and box.key is None).input("我的名称")
    _button(at, "保存").click().run()
    assert "已保存。" in [s.value for s in at.success]
    assert _scalar(app_env, "SELECT name_zh FROM projects WHERE id = :p", p=project_id) == "我的名称"


def test_a_project_name_with_markup_is_shown_as_typed(logged_in, app_env):
    engine = create_database_engine(f"sqlite:///{app_env}")
    code = _scalar(app_env, "SELECT p.code FROM projects p JOIN regions r ON r.id = p.region_id "
                            "WHERE r.code = '410202' ORDER BY p.code LIMIT 1")
    project_id, version = _engine(app_env).connect().execute(text(
        "SELECT id, version FROM projects WHERE code = :c"), {"c": code}).one()
    update_project(engine, as_viewer(engine, "admin"), project_id, version, {"name_zh": "**粗体** [链接](http://x)"})
    at = logged_in("official_longting", PAGE)
    _choose_first_project(at)
    [heading] = [h.value for h in at.subheader if code in h.value]
    assert r"\*\*粗体\*\* \[链接\]" in heading and "](http://x)" not in heading


def test_a_target_saved_by_someone_else_meanwhile_is_not_overwritten_and_the_page_says_what_is_stored(
        logged_in, app_env):
    from data_access.register import TARGET_FIELDS, set_project_target

    at = logged_in("admin", PAGE)
    code = _choose_first_project(at)
    project_id = _scalar(app_env, "SELECT id FROM projects WHERE code = :c", c=code)
    kpi = at.selectbox(key=f"register_target_kpi_{project_id}").value
    engine = create_database_engine(f"sqlite:///{app_env}")
    stored = reads.list_project_targets(engine, as_viewer(engine, "admin"), project_id=project_id).set_index(
        "indicator_code").loc[kpi, list(TARGET_FIELDS)].to_dict()
    set_project_target(engine, as_viewer(engine, "analyst"), project_id, kpi, 77, seen=stored)  # meanwhile
    form = f"register_target_{project_id}_{kpi}"
    next(box for box in at.number_input if box.label == "目标值" and box.form_id == form).set_value(88.0)
    next(button for button in at.button if button.label == "保存" and button.form_id == form).click().run()
    assert any("的目标已被他人修改（现为 目标值 77" in error.value for error in at.error)
    target_now = ("SELECT t.target_value FROM project_targets t JOIN indicators i ON i.id = t.indicator_id "
                  "WHERE t.project_id = :p AND i.code = :k")
    assert _scalar(app_env, target_now, p=project_id, k=kpi) == 77
    _button(at, "载入已保存的目标并重新编辑").click().run()
    box = next(box for box in at.number_input if box.label == "目标值" and box.form_id == form)
    assert box.value == 77  # the saved target, ready to edit again
    box.set_value(88.0)
    next(button for button in at.button if button.label == "保存" and button.form_id == form).click().run()
    assert "已保存。" in [message.value for message in at.success]
    assert _scalar(app_env, target_now, p=project_id, k=kpi) == 88
