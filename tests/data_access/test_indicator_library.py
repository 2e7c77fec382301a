"""The indicator library and category templates: exact results of every write, the published-score guard,
history kept reproducible, audit before/after and optimistic locking, on SQLite and PostgreSQL."""
import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import select

from data_access import indicator_library as library
from data_access import list_indicators, register, schemes
from data_access.audit import verify_chain
from data_access.errors import PermissionDenied, ValidationError, VersionConflict
from data_access.indicator_library import TemplateItem
from data_access.models import AuditEntry, CategoryTemplateItem, Indicator, WeightScheme
from services.scores import load_model, period_scores
from tests.conftest import as_viewer
from tests.db_checksum import table_checksums

PAST = dt.date(2026, 6, 1)


def _row(engine, code):
    frame = list_indicators(engine, as_viewer(engine, "admin"))
    return frame.set_index("code").loc[code]


def _audit(engine, action):
    with engine.connect() as connection:
        rows = connection.execute(select(AuditEntry.entity_id, AuditEntry.before, AuditEntry.after)
                                  .where(AuditEntry.action == action).order_by(AuditEntry.id)).all()
    return [(entity_id, json.loads(before) if before else None, json.loads(after) if after else None)
            for entity_id, before, after in rows]


def _count(engine, model):
    with engine.connect() as connection:
        return len(connection.execute(select(model.id)).all())


def test_create_a_dimension_a_group_and_a_kpi_under_it(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    dimension = library.create_indicator(seeded_engine, admin, level=1, code="DIM_GREEN", dimension="green",
                                         name_zh="绿色低碳", name_en="Green")
    group = library.create_indicator(seeded_engine, admin, level=2, code="GRN_ENERGY", parent_id=dimension,
                                     name_zh="能耗", name_en="Energy")
    kpi = library.create_indicator(seeded_engine, admin, level=3, code="ENERGY_SAVED", parent_id=group,
                                   name_zh=" 节能率 ", name_en="Energy saved", unit_zh="%", unit_en="%",
                                   direction="band", band_lower=10.0, band_upper=20.0, normalization="band",
                                   default_weight=2.5, period_rollup="mean")
    row = _row(seeded_engine, "ENERGY_SAVED")
    assert (row["id"], row["parent_id"], row["level"], row["dimension"], row["name_zh"]) == (
        kpi, group, 3, "green", "节能率")
    assert (row["direction"], row["band_lower"], row["band_upper"], row["normalization"]) == ("band", 10, 20, "band")
    assert (row["default_weight"], row["period_rollup"], bool(row["scored"]), row["version"]) == (2.5, "mean", True, 1)
    assert _row(seeded_engine, "DIM_GREEN")["sort_order"] == 7  # after the six demo dimensions (sort_order = id)
    assert _row(seeded_engine, "GRN_ENERGY")["sort_order"] == 1 and row["sort_order"] == 1
    assert not bool(_row(seeded_engine, "GRN_ENERGY")["scored"])
    [(entity_id, before, after)] = [entry for entry in _audit(seeded_engine, "indicator.create")
                                    if entry[0] == str(kpi)]
    assert before is None and after["code"] == "ENERGY_SAVED" and after["parent_id"] == group
    assert after["band_lower"] == 10.0 and after["normalization_params"] == {}
    assert verify_chain(seeded_engine).ok


@pytest.mark.parametrize(("level", "parent_code", "message_zh"), [
    (3, "DIM_PROGRESS", "指标的上级须为指标组"),
    (2, None, "请选择上级维度"),
    (2, "PRG_SCHED", "指标组的上级须为维度"),
])
def test_a_node_goes_only_under_the_level_above(seeded_engine, level, parent_code, message_zh):
    admin = as_viewer(seeded_engine, "admin")
    parent = None if parent_code is None else int(_row(seeded_engine, parent_code)["id"])
    before = _count(seeded_engine, Indicator)
    with pytest.raises(ValidationError) as caught:
        library.create_indicator(seeded_engine, admin, level=level, code="NEW_NODE", parent_id=parent,
                                 name_zh="新", name_en="New")
    assert caught.value.message_zh == message_zh
    assert _count(seeded_engine, Indicator) == before


def test_a_taken_code_and_a_bad_code_are_refused(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    group = int(_row(seeded_engine, "PRG_SCHED")["id"])
    with pytest.raises(ValidationError) as caught:
        library.create_indicator(seeded_engine, admin, level=3, code="PROG_RATIO", parent_id=group,
                                 name_zh="重复", name_en="Again")
    assert caught.value.message_zh == "编码 PROG_RATIO 已被使用"
    with pytest.raises(ValidationError) as caught:
        library.create_indicator(seeded_engine, admin, level=3, code="prog ratio", parent_id=group,
                                 name_zh="重复", name_en="Again")
    assert caught.value.message_zh == "编码须为 2 至 30 位大写字母、数字或下划线，以字母开头"


def test_only_admins_write_the_library(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    row = _row(seeded_engine, "PROG_RATIO")
    with pytest.raises(PermissionDenied):
        library.update_indicator(seeded_engine, analyst, int(row["id"]), int(row["version"]), {"name_en": "x"})
    with pytest.raises(PermissionDenied):
        library.set_category_template(seeded_engine, analyst, 1, [])
    assert _row(seeded_engine, "PROG_RATIO")["name_en"] == row["name_en"]


def test_editing_names_and_units_is_audited_before_and_after_and_bumps_the_version(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    row = _row(seeded_engine, "HAZARD_FIX")
    change = library.update_indicator(seeded_engine, admin, int(row["id"]), 1,
                                      {"name_en": "Hazards put right", "unit_zh": "％", "period_rollup": "mean"})
    assert change == library.Change(2, None)
    after = _row(seeded_engine, "HAZARD_FIX")
    assert (after["name_en"], after["unit_zh"], after["period_rollup"], after["version"]) == (
        "Hazards put right", "％", "mean", 2)
    [(entity_id, before, audited)] = _audit(seeded_engine, "indicator.update")
    assert entity_id == str(row["id"])
    assert before == {"code": "HAZARD_FIX", "name_en": row["name_en"], "unit_zh": row["unit_zh"],
                      "period_rollup": "last"}
    assert audited == {"code": "HAZARD_FIX", "name_en": "Hazards put right", "unit_zh": "％", "period_rollup": "mean"}


def test_a_stale_version_is_a_conflict_and_writes_nothing(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    indicator_id = int(_row(seeded_engine, "HAZARD_FIX")["id"])
    library.update_indicator(seeded_engine, admin, indicator_id, 1, {"name_zh": "隐患整改率（新）"})
    with pytest.raises(VersionConflict) as caught:
        library.update_indicator(seeded_engine, admin, indicator_id, 1, {"name_zh": "旧表单"})
    assert caught.value.message_zh == "该指标已被他人修改，请刷新后重试（您的修改未保存）"
    with pytest.raises(VersionConflict):
        library.set_retired(seeded_engine, admin, indicator_id, 1, True)
    row = _row(seeded_engine, "HAZARD_FIX")
    assert (row["name_zh"], row["version"], row["retired_at"]) == ("隐患整改率（新）", 2, None)
    assert len(_audit(seeded_engine, "indicator.update")) == 1 and _audit(seeded_engine, "indicator.retire") == []


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"direction": "band"}, "请填写区间下限"),
    ({"direction": "band", "normalization": "band", "band_lower": 5.0, "band_upper": 1.0},
     "band lower bound 5.0 is above upper bound"),
    ({"normalization": "band"},
     "方向为“区间内最好”时须用区间方法，区间方法也只用于该方向（indicator 'HAZARD_FIX': method 'band' and "
     "direction 'band' go together"),
    ({"normalization": "threshold", "normalization_params": {"thresholds": [[50, 80], [90, 60]]}},
     "threshold scores must not fall as the value improves"),
    ({"normalization_params": {"cap": 90}},
     "指标 HAZARD_FIX 的归一化设置无效：对标目标值方法的封顶分 cap 须为不小于 100 的数值"
     "（indicator 'HAZARD_FIX': cap must be at least 100"),
    ({"normalization_params": {"target": 5}}, "不接受参数 target"),
    ({"default_weight": -1.0}, "默认权重须在 0 到 1,000,000 之间（当前为 -1）"),
    ({"period_rollup": "median"}, "期间汇总方式须为 last、sum、mean 之一"),
])
def test_a_bad_recipe_is_refused_with_the_scorers_own_words(seeded_engine, changes, fragment):
    admin = as_viewer(seeded_engine, "admin")
    indicator_id = int(_row(seeded_engine, "HAZARD_FIX")["id"])
    with pytest.raises(ValidationError) as caught:
        library.update_indicator(seeded_engine, admin, indicator_id, 1, changes, new_scheme_version=True)
    assert fragment in caught.value.message_zh
    assert _row(seeded_engine, "HAZARD_FIX")["version"] == 1


def test_reordering_moves_one_sibling_and_renumbers_the_rest(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    row = _row(seeded_engine, "SCHED_DELAY")
    assert library.move_indicator(seeded_engine, admin, int(row["id"]), 1, -1) == 2
    frame = list_indicators(seeded_engine, admin)
    siblings = frame[frame["parent_id"] == row["parent_id"]]
    assert siblings["code"].tolist() == ["SCHED_DELAY", "MS_ONTIME"]
    assert siblings["sort_order"].tolist() == [1, 2]
    with pytest.raises(ValidationError) as caught:
        library.move_indicator(seeded_engine, admin, int(row["id"]), 2, -1)
    assert caught.value.message_zh == "已在同级的最前或最后，无法再移动"
    [(_, before, after)] = _audit(seeded_engine, "indicator.move")
    assert (before, after) == ({"order": ["MS_ONTIME", "SCHED_DELAY"]}, {"order": ["SCHED_DELAY", "MS_ONTIME"]})


def test_a_kpi_with_data_cannot_be_deleted_but_one_without_can(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    used = _row(seeded_engine, "HAZARD_FIX")
    with pytest.raises(ValidationError) as caught:
        library.delete_indicator(seeded_engine, admin, int(used["id"]), 1)
    assert caught.value.message_zh == "指标 HAZARD_FIX 已有数据、目标、权重或下级，不能删除，只能停用"
    group = int(_row(seeded_engine, "SAF_INC")["id"])
    with pytest.raises(ValidationError):  # a group with KPIs under it
        library.delete_indicator(seeded_engine, admin, group, 1)
    fresh = library.create_indicator(seeded_engine, admin, level=3, code="DRILLS", parent_id=group,
                                     name_zh="应急演练", name_en="Drills")
    library.delete_indicator(seeded_engine, admin, fresh, 1)
    assert "DRILLS" not in set(list_indicators(seeded_engine, admin)["code"])
    [(entity_id, before, after)] = _audit(seeded_engine, "indicator.delete")
    assert (entity_id, before["code"], before["parent_id"], after) == (str(fresh), "DRILLS", group, None)


def test_retiring_keeps_past_scores_and_leaves_new_schemes(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    past = period_scores(seeded_engine, admin, PAST)
    row = _row(seeded_engine, "HAZARD_FIX")
    group = int(_row(seeded_engine, "SAF_INC")["id"])
    with pytest.raises(ValidationError) as caught:
        library.set_retired(seeded_engine, admin, group, 1, True)
    assert caught.value.message_zh == "请先停用其下所有下级指标"
    assert library.set_retired(seeded_engine, admin, int(row["id"]), 1, True) == 2
    assert _row(seeded_engine, "HAZARD_FIX")["retired_at"] is not None
    pd.testing.assert_frame_equal(period_scores(seeded_engine, admin, PAST), past)  # the default scheme is older
    tree = {"safety": (1.0, {"SAFETY_INCIDENTS": 1.0, "HAZARD_FIX": 1.0}), "quality": (1.0, {"QUALITY_PASS": 1.0})}
    saved = schemes.save_scenario(seeded_engine, admin, name="停用之后", weights=tree)
    stored = schemes.list_schemes(seeded_engine, admin)
    assert saved.id in set(stored["id"])
    newer = load_model(seeded_engine, admin, scheme_id=saved.id)
    assert "HAZARD_FIX" not in newer.specs.index
    assert newer.weights[newer.weights > 0].round(6).to_dict() == {"QUALITY_PASS": 0.5, "SAFETY_INCIDENTS": 0.5}
    assert library.set_retired(seeded_engine, admin, int(row["id"]), 2, False) == 3
    assert _row(seeded_engine, "HAZARD_FIX")["retired_at"] is None
    assert [after["retired_at"] for _, _, after in _audit(seeded_engine, "indicator.unretire")] == [None]


def test_a_change_to_published_scores_is_refused_unless_made_a_new_scheme_version(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    past = period_scores(seeded_engine, admin, PAST)
    row = _row(seeded_engine, "QUALITY_PASS")
    change = {"normalization": "threshold", "normalization_params": {"thresholds": [[80, 60], [95, 100]]}}
    with pytest.raises(ValidationError) as caught:
        library.update_indicator(seeded_engine, admin, int(row["id"]), 1, change)
    assert caught.value.message_zh == ("指标 QUALITY_PASS 在默认权重方案“标准方案 Standard” v1 中计分，此修改会改变"
                                       "已发布的得分；请改为生成新的权重方案版本（升为默认后生效）")
    assert _row(seeded_engine, "QUALITY_PASS")["normalization"] == "target"
    with pytest.raises(ValidationError):
        library.update_indicator(seeded_engine, admin, int(row["id"]), 1, {"default_weight": 5.0})

    made = library.update_indicator(seeded_engine, admin, int(row["id"]), 1, {**change, "default_weight": 5.0},
                                    new_scheme_version=True)
    assert made.version == 2 and made.new_scheme_id is not None
    with seeded_engine.connect() as connection:
        scheme = connection.execute(select(WeightScheme.name, WeightScheme.version, WeightScheme.is_default)
                                    .where(WeightScheme.id == made.new_scheme_id)).one()
    assert tuple(scheme) == ("标准方案 Standard", 2, False)
    pd.testing.assert_frame_equal(period_scores(seeded_engine, admin, PAST), past)  # history unchanged
    old, new = load_model(seeded_engine, admin), load_model(seeded_engine, admin, scheme_id=made.new_scheme_id)
    assert old.specs.at["QUALITY_PASS", "method"] == "target"
    assert new.specs.at["QUALITY_PASS", "method"] == "threshold"
    assert new.specs.at["QUALITY_PASS", "thresholds"] == [[80, 60], [95, 100]]
    # quality 0.2 of the total, split 5 : 1 : 1 instead of 2 : 1 : 1
    assert old.weights["QUALITY_PASS"] == pytest.approx(0.2 * 2 / 4)
    assert new.weights["QUALITY_PASS"] == pytest.approx(0.2 * 5 / 7)
    [(_, before, after)] = _audit(seeded_engine, "indicator.update")
    assert before == {"code": "QUALITY_PASS", "default_weight": 2.0, "normalization": "target",
                      "normalization_params": {}}
    assert after == {"code": "QUALITY_PASS", "default_weight": 5.0, "normalization": "threshold",
                     "normalization_params": {"thresholds": [[80, 60], [95, 100]]}, "new_scheme_id": made.new_scheme_id}
    schemes.promote_scheme(seeded_engine, admin, made.new_scheme_id)
    assert load_model(seeded_engine, admin).specs.at["QUALITY_PASS", "method"] == "threshold"


@pytest.mark.parametrize("changes", [{"scored": False}, {"category_id": 1}])
def test_who_is_scored_on_a_published_kpi_does_not_change_not_even_as_a_new_scheme_version(seeded_engine, changes):
    admin = as_viewer(seeded_engine, "admin")
    row = _row(seeded_engine, "QUALITY_PASS")
    before = table_checksums(seeded_engine)
    for new_scheme_version in (False, True):
        with pytest.raises(ValidationError) as caught:
            library.update_indicator(seeded_engine, admin, int(row["id"]), 1, changes,
                                     new_scheme_version=new_scheme_version)
        assert caught.value.message_zh == (
            "指标 QUALITY_PASS 在默认权重方案“标准方案 Standard” v1 中计分；是否计分和适用类别决定哪些项目按它评分，"
            "修改会改变已发布的得分。请停用该指标并新建一个指标")
    assert table_checksums(seeded_engine) == before


def test_a_kpi_outside_the_default_scheme_changes_without_a_new_version(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    row = _row(seeded_engine, "PROG_ACTUAL")  # a tracking series, not scored
    change = library.update_indicator(seeded_engine, admin, int(row["id"]), 1, {"direction": "lower"})
    assert change == library.Change(2, None)
    assert _row(seeded_engine, "PROG_ACTUAL")["direction"] == "lower"


def _template(engine, category_id):
    with engine.connect() as connection:
        return connection.execute(select(CategoryTemplateItem.indicator_id, CategoryTemplateItem.weight,
                                         CategoryTemplateItem.target_value)
                                  .where(CategoryTemplateItem.category_id == category_id)
                                  .order_by(CategoryTemplateItem.indicator_id)).all()


def test_a_category_template_is_replaced_in_one_transaction(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    ids = {code: int(_row(seeded_engine, code)["id"]) for code in
           ("PROG_RATIO", "VISITOR_GROWTH", "SCHOOL_PLACES", "HAZARD_FIX", "PROG_ACTUAL")}
    demo = [TemplateItem(indicator_id, weight, target) for indicator_id, weight, target in _template(seeded_engine, 1)]
    items = [TemplateItem(ids["VISITOR_GROWTH"], 2.0, 15.0), TemplateItem(ids["PROG_RATIO"], 3.0, None)]
    library.set_category_template(seeded_engine, admin, 1, items, expected=demo)
    assert _template(seeded_engine, 1) == [(ids["PROG_RATIO"], 3.0, None), (ids["VISITOR_GROWTH"], 2.0, 15.0)]
    read = register.category_template(seeded_engine, 1)
    assert read[["code", "weight"]].values.tolist() == [["PROG_RATIO", 3.0], ["VISITOR_GROWTH", 2.0]]
    [(entity_id, before, after)] = _audit(seeded_engine, "category_template.update")
    assert entity_id == "1" and before == {"items": [vars(item) for item in demo]}
    assert after["items"] == [{"indicator_id": ids["VISITOR_GROWTH"], "weight": 2.0, "target_value": 15.0},
                              {"indicator_id": ids["PROG_RATIO"], "weight": 3.0, "target_value": None}]

    with pytest.raises(VersionConflict):  # read before the save above
        library.set_category_template(seeded_engine, admin, 1, [], expected=demo)
    for bad, message_zh in [
        ([TemplateItem(ids["SCHOOL_PLACES"], 1.0)], "指标 SCHOOL_PLACES 属于其他类别，不能用于“文旅融合”"),
        ([TemplateItem(ids["PROG_ACTUAL"], 1.0)], "PROG_ACTUAL 不是在用的考核指标（须为第 3 层、考核、未停用）"),
        ([TemplateItem(ids["PROG_RATIO"], -2.0)], "指标 PROG_RATIO 的权重须在 0 到 1,000,000 之间（当前为 -2）"),
        ([TemplateItem(ids["PROG_RATIO"], 1.0), TemplateItem(ids["PROG_RATIO"], 2.0)], "指标 PROG_RATIO 重复出现"),
        ([TemplateItem(ids["PROG_RATIO"], 1.0, float("inf"))], "指标 PROG_RATIO 的目标值须为有限数值"),
    ]:
        with pytest.raises(ValidationError) as caught:
            library.set_category_template(seeded_engine, admin, 1, bad)
        assert caught.value.message_zh.startswith(message_zh)
    assert len(_template(seeded_engine, 1)) == 2

    library.set_retired(seeded_engine, admin, ids["PROG_RATIO"], 1, True)  # retired KPIs leave templates
    assert _template(seeded_engine, 1) == [(ids["VISITOR_GROWTH"], 2.0, 15.0)]
    with pytest.raises(ValidationError):
        library.set_category_template(seeded_engine, admin, 1, items)
    assert verify_chain(seeded_engine).ok
