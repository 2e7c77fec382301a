"""The indicator library page through AppTest: every role reads the tree; only admins get the edit controls,
and their edits, refusals and template saves reach the database exactly."""
import json

import pytest
from sqlalchemy import create_engine, text

PAGE = "views/indicators.py"
READERS = ["leader", "analyst", "auditor", "official_gulou", "pm_kaifeng1"]


def _query(app_env, sql, **params):
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.connect() as connection:
        return connection.execute(text(sql), params).all()


def _button(at, label, form_id=None):
    return next(b for b in at.button if b.label == label and (form_id is None or b.form_id == form_id))


def _input(at, label, form_id):
    return next(w for w in at.text_input if w.label == label and w.form_id == form_id)


def _node_id(app_env, code):
    return _query(app_env, "SELECT id FROM indicators WHERE code = :c", c=code)[0][0]


@pytest.mark.parametrize("username", READERS)
def test_every_other_role_reads_the_tree_without_edit_controls(logged_in, username):
    at = logged_in(username, PAGE)
    assert not at.exception and not at.error
    tree = at.dataframe[0].value
    assert tree["编码"].tolist()[:3] == ["DIM_PROGRESS", "PRG_SCHED", "PROG_RATIO"]
    assert tree["名称"].iloc[2] == "\u3000\u3000\u3000\u3000进度计划完成率"  # a KPI, indented two levels
    assert len(at.tabs) == 0 and not at.get("data_editor") and not [b for b in at.button if b.label == "保存"]
    assert "指标库为只读；如需修改请联系系统管理员。" in [c.value for c in at.caption]
    assert at.get("plotly_chart")


def test_the_dimension_filter_and_retired_toggle_narrow_the_tree(logged_in, app_env):
    engine = create_engine(f"sqlite:///{app_env}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE indicators SET retired_at = '2026-11-02 00:00:00' WHERE code = 'HAZARD_FIX'"))
    at = logged_in("leader", PAGE)
    at.selectbox(key="indicators_dimension_zh").select("safety").run()
    assert at.dataframe[0].value["编码"].tolist() == ["DIM_SAFETY", "SAF_INC", "SAFETY_INCIDENTS"]
    at.toggle(key="indicators_show_retired").set_value(True).run()
    tree = at.dataframe[0].value
    assert tree["编码"].tolist() == ["DIM_SAFETY", "SAF_INC", "SAFETY_INCIDENTS", "HAZARD_FIX"]
    assert tree["状态"].tolist() == ["在用", "在用", "在用", "已停用"]


def test_an_admin_edits_a_kpi_and_the_change_is_audited(logged_in, app_env):
    at = logged_in("admin", PAGE)
    assert [tab.label for tab in at.tabs] == ["编辑、排序与停用", "新增", "类别模板"]
    at.selectbox(key="indicators_edit_choice_zh").select(_node_id(app_env, "HAZARD_FIX")).run()
    _input(at, "英文名称", "indicators_edit_form").input("Hazards put right")
    _button(at, "保存", "indicators_edit_form").click().run()
    assert not at.error and [s.value for s in at.success] == ["已保存。"]
    assert _query(app_env, "SELECT name_en, version FROM indicators WHERE code = 'HAZARD_FIX'") == [
        ("Hazards put right", 2)]
    [(before, after)] = _query(app_env, "SELECT before, after FROM audit_log WHERE action = 'indicator.update'")
    assert json.loads(before) == {"code": "HAZARD_FIX", "name_en": "Hazards fixed"}
    assert json.loads(after) == {"code": "HAZARD_FIX", "name_en": "Hazards put right"}


def test_a_change_to_published_scores_is_refused_on_the_page(logged_in, app_env):
    at = logged_in("admin", PAGE)
    at.selectbox(key="indicators_edit_choice_zh").select(_node_id(app_env, "QUALITY_PASS")).run()
    next(w for w in at.number_input if w.label == "默认权重").set_value(5.0)
    _button(at, "保存", "indicators_edit_form").click().run()
    assert [e.value for e in at.error] == [
        "指标 QUALITY_PASS 在默认权重方案“标准方案 Standard” v1 中计分，此修改会改变已发布的得分；"
        "请改为生成新的权重方案版本（升为默认后生效）"]
    assert _query(app_env, "SELECT default_weight, version FROM indicators WHERE code = 'QUALITY_PASS'") == [(2.0, 1)]
    next(w for w in at.number_input if w.label == "默认权重").set_value(5.0)
    next(w for w in at.checkbox if w.label == "如影响已发布得分，生成新的权重方案版本").check()
    _button(at, "保存", "indicators_edit_form").click().run()
    assert [s.value for s in at.success] == ["已保存，并生成了新的权重方案版本；在“权重调优”页升为默认后生效。"]
    assert _query(app_env, "SELECT version, is_default FROM weight_schemes WHERE name = '标准方案 Standard' "
                           "ORDER BY version") == [(1, 1), (2, 0)]


def test_an_admin_adds_a_kpi_and_retires_it(logged_in, app_env):
    at = logged_in("admin", PAGE)
    at.radio(key="indicators_new_level_zh").set_value(3).run()
    form = "indicators_create_form"
    next(w for w in at.selectbox if w.label == "上级").set_value(_node_id(app_env, "SAF_INC"))
    _input(at, "编码", form).input("DRILLS")
    _input(at, "中文名称", form).input("应急演练次数")
    _input(at, "英文名称", form).input("Drills")
    _button(at, "新增", form).click().run()
    assert [s.value for s in at.success] == ["已新增 DRILLS。"]
    [(node_id, level, parent, dimension, version)] = _query(
        app_env, "SELECT id, level, parent_id, dimension, version FROM indicators WHERE code = 'DRILLS'")
    assert (level, parent, dimension, version) == (3, _node_id(app_env, "SAF_INC"), "safety", 1)
    at.selectbox(key="indicators_edit_choice_zh").select(node_id).run()
    at.button(key="indicators_retire").click().run()
    assert [s.value for s in at.success] == ["已停用：历史得分不变，新方案和模板不再包含它。"]
    assert _query(app_env, "SELECT retired_at IS NOT NULL FROM indicators WHERE code = 'DRILLS'") == [(1,)]


def test_a_kpi_with_data_is_not_deleted(logged_in, app_env):
    at = logged_in("admin", PAGE)
    at.selectbox(key="indicators_edit_choice_zh").select(_node_id(app_env, "HAZARD_FIX")).run()
    at.button(key="indicators_delete").click().run()
    assert [e.value for e in at.error] == ["指标 HAZARD_FIX 已有数据、目标、权重或下级，不能删除，只能停用"]
    assert _query(app_env, "SELECT count(*) FROM indicators WHERE code = 'HAZARD_FIX'") == [(1,)]


def test_an_admin_saves_a_category_template_in_one_transaction(logged_in, app_env):
    at = logged_in("admin", PAGE)
    before = _query(app_env, "SELECT indicator_id, weight, target_value FROM category_template_items "
                             "WHERE category_id = 1 ORDER BY indicator_id")
    assert before
    editor = at.get("data_editor")[0]
    assert len(editor.value) == len(before)
    at.button(key="indicators_template_save").click().run()
    assert [s.value for s in at.success] == [f"模板已保存（{len(before)} 个指标）。"]
    [(entity_id, after)] = _query(app_env, "SELECT entity_id, after FROM audit_log "
                                           "WHERE action = 'category_template.update'")
    assert entity_id == "1"
    assert sorted((i["indicator_id"], i["weight"], i["target_value"]) for i in json.loads(after)["items"]) == before
