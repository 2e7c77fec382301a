import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from data_access import reads, writes
from data_access.audit import verify_chain
from data_access.errors import PermissionDenied, ValidationError, VersionConflict
from data_access.models import AuditEntry
from tests.conftest import as_viewer


def _audit_count(engine):
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(AuditEntry)).scalar()


def _first_project(engine, region_code):
    projects = reads.list_projects(engine, as_viewer(engine, "leader"))
    return projects[projects["region_code"] == region_code].iloc[0]


def test_official_edits_own_project_and_version_moves_on(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    project = _first_project(seeded_engine, "410202")
    new_version = writes.update_project(seeded_engine, official, int(project["id"]), int(project["version"]),
                                        {"budget": Decimal("12345678.90"), "status": "suspended"})
    assert new_version == project["version"] + 1
    stored = reads.get_project(seeded_engine, official, int(project["id"]))
    assert stored["budget"] == Decimal("12345678.90") and stored["status"] == "suspended"
    assert stored["version"] == new_version
    assert _audit_count(seeded_engine) == 1
    assert verify_chain(seeded_engine).ok


def test_stale_version_is_a_conflict_and_nothing_is_written(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    project = _first_project(seeded_engine, "410204")
    project_id, version = int(project["id"]), int(project["version"])
    writes.update_project(seeded_engine, admin, project_id, version, {"name_zh": "第一位编辑"})
    with pytest.raises(VersionConflict) as caught:
        writes.update_project(seeded_engine, admin, project_id, version, {"name_zh": "第二位编辑"})
    assert "已被他人修改" in caught.value.message_zh
    assert reads.get_project(seeded_engine, admin, project_id)["name_zh"] == "第一位编辑"
    assert _audit_count(seeded_engine) == 1


def test_official_cannot_edit_another_districts_project(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    gulou = _first_project(seeded_engine, "410204")
    with pytest.raises(PermissionDenied):
        writes.update_project(seeded_engine, official, int(gulou["id"]), int(gulou["version"]), {"name_zh": "x"})
    assert reads.get_project(seeded_engine, as_viewer(seeded_engine, "admin"), int(gulou["id"]))["name_zh"] == \
        gulou["name_zh"]
    with seeded_engine.connect() as connection:  # the refusal itself is on record
        actions = connection.execute(select(AuditEntry.action, AuditEntry.actor_name)).all()
    assert actions == [("access.denied", "official_longting")]


@pytest.mark.parametrize("username", ["leader", "auditor", "pm_kaifeng1"])
def test_roles_without_project_edit_rights_are_refused(seeded_engine, username):
    project = _first_project(seeded_engine, "410202")
    with pytest.raises(PermissionDenied):
        writes.update_project(seeded_engine, as_viewer(seeded_engine, username), int(project["id"]),
                              int(project["version"]), {"name_zh": "x"})


@pytest.mark.parametrize(("changes", "message"), [
    ({"budget": Decimal("-1")}, "负数"),
    ({"budget": "abc"}, "不是有效数字"),
    ({"status": "finished"}, "未知的项目状态"),
    ({"planned_end": dt.date(2000, 1, 1)}, "早于计划开工"),
    ({"version": 99}, "不可修改"),
])
def test_invalid_changes_are_rejected_in_chinese(seeded_engine, changes, message):
    admin = as_viewer(seeded_engine, "admin")
    project = _first_project(seeded_engine, "410202")
    with pytest.raises(ValidationError) as caught:
        writes.update_project(seeded_engine, admin, int(project["id"]), int(project["version"]), changes)
    assert message in caught.value.message_zh
    assert reads.get_project(seeded_engine, admin, int(project["id"]))["version"] == project["version"]


def test_record_observation_corrects_a_value_and_audits_the_old_one(seeded_engine):
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    project_id = int(reads.list_projects(seeded_engine, manager)["id"].iloc[0])
    period = dt.date(2026, 11, 1)
    writes.record_observation(seeded_engine, manager, project_id=project_id, indicator_code="QUALITY_PASS",
                              period=period, value=91.5)
    writes.record_observation(seeded_engine, manager, project_id=project_id, indicator_code="QUALITY_PASS",
                              period=period, value=93.0)
    history = reads.load_observations(seeded_engine, manager, project_ids=[project_id],
                                      indicator_codes=["QUALITY_PASS"], since=period)
    assert history["value"].tolist() == [93.0] and history["source"].tolist() == ["manual"]
    with seeded_engine.connect() as connection:
        last = connection.execute(select(AuditEntry.before, AuditEntry.after).order_by(AuditEntry.id.desc())).first()
    assert last.before == '{"source":"manual","value":91.5}' and last.after == '{"source":"manual","value":93.0}'
    assert verify_chain(seeded_engine).ok


@pytest.mark.parametrize(("period", "value", "code", "message"), [
    (dt.date(2026, 11, 15), 1.0, "QUALITY_PASS", "第一天"),
    (dt.date(2026, 11, 1), float("nan"), "QUALITY_PASS", "不是有效数字"),
    (dt.date(2026, 11, 1), 1.0, "NO_SUCH_KPI", "未知指标"),
])
def test_bad_observations_are_rejected(seeded_engine, period, value, code, message):
    admin = as_viewer(seeded_engine, "admin")
    with pytest.raises(ValidationError) as caught:
        writes.record_observation(seeded_engine, admin, project_id=1, indicator_code=code, period=period, value=value)
    assert message in caught.value.message_zh
    assert _audit_count(seeded_engine) == 0


def test_manager_cannot_report_for_someone_elses_project(seeded_engine):
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    others = reads.list_projects(seeded_engine, as_viewer(seeded_engine, "leader"))
    other_id = int(others.loc[others["manager_id"] != manager.user_id, "id"].iloc[0])
    with pytest.raises(PermissionDenied):
        writes.record_observation(seeded_engine, manager, project_id=other_id, indicator_code="QUALITY_PASS",
                                  period=dt.date(2026, 11, 1), value=90.0)


def test_milestone_update_checks_version_and_range(seeded_engine):
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    milestone = reads.list_milestones(seeded_engine, manager).iloc[0]
    version = writes.update_milestone(seeded_engine, manager, int(milestone["id"]), int(milestone["version"]),
                                      {"percent_complete": 55.0})
    with pytest.raises(VersionConflict):
        writes.update_milestone(seeded_engine, manager, int(milestone["id"]), version - 1, {"percent_complete": 60.0})
    with pytest.raises(ValidationError):
        writes.update_milestone(seeded_engine, manager, int(milestone["id"]), version, {"percent_complete": 101.0})
    assert reads.list_milestones(seeded_engine, manager).set_index("id").loc[milestone["id"], "percent_complete"] == 55


def test_an_analyst_edits_a_milestone_as_they_keep_the_register_and_a_leader_may_not(seeded_engine):
    analyst, leader = as_viewer(seeded_engine, "analyst"), as_viewer(seeded_engine, "leader")
    milestone = reads.list_milestones(seeded_engine, analyst).iloc[0]
    writes.update_milestone(seeded_engine, analyst, int(milestone["id"]), int(milestone["version"]),
                            {"percent_complete": 35.0})
    assert reads.list_milestones(seeded_engine, analyst).set_index("id").loc[milestone["id"], "percent_complete"] == 35
    with pytest.raises(PermissionDenied):
        writes.update_milestone(seeded_engine, leader, int(milestone["id"]), int(milestone["version"]) + 1,
                                {"percent_complete": 40.0})


def _longting_project(engine):
    project = _first_project(engine, "410202")
    return as_viewer(engine, "official_longting"), int(project["id"]), int(project["version"]), project


@pytest.mark.parametrize("manager", ["pm_xiangtan1", "leader", "official_longting", 999_999, 2**31, "5"])
def test_an_official_cannot_hand_a_project_to_a_manager_from_elsewhere_or_of_the_wrong_role(seeded_engine, manager):
    official, project_id, version, project = _longting_project(seeded_engine)
    manager_id = as_viewer(seeded_engine, manager).user_id if isinstance(manager, str) and manager[0].isalpha() \
        else manager
    with pytest.raises(ValidationError) as caught:
        writes.update_project(seeded_engine, official, project_id, version, {"manager_id": manager_id})
    assert caught.value.message_zh == "项目经理须为在职、且在该项目所在地区工作的项目经理"
    assert reads.get_project(seeded_engine, official, project_id)["manager_id"] == project["manager_id"]
    assert _audit_count(seeded_engine) == 0


def test_a_manager_of_the_same_city_may_take_a_project_over(seeded_engine):
    official, project_id, version, project = _longting_project(seeded_engine)
    other = next(name for name in ("pm_kaifeng1", "pm_kaifeng2")
                 if as_viewer(seeded_engine, name).user_id != project["manager_id"])
    writes.update_project(seeded_engine, official, project_id, version,
                          {"manager_id": as_viewer(seeded_engine, other).user_id})
    assert reads.get_project(seeded_engine, official, project_id)["manager_name"] is not None


@pytest.mark.parametrize(("changes", "message"), [
    ({"planned_end": "2030-01-01"}, "日期字段 planned_end 须为日期"),
    ({"name_zh": "长" * 121}, "中文名称须为 1–120 个字符的文字"),
    ({"name_en": ""}, "英文名称须为 1–200 个字符的文字"),
    ({"lat": "north"}, "坐标不是有效数字"),
    ({"lat": 91.0}, "坐标 lat 超出 ±90"),
    ({"budget": Decimal("1e15")}, "预算数额超出合理范围"),
    ({"budget": True}, "预算不是有效数字"),
])
def test_wrong_types_and_implausible_project_values_are_validation_errors(seeded_engine, changes, message):
    official, project_id, version, _ = _longting_project(seeded_engine)
    with pytest.raises(ValidationError) as caught:  # a string date was a raw TypeError
        writes.update_project(seeded_engine, official, project_id, version, changes)
    assert caught.value.message_zh == message
    assert _audit_count(seeded_engine) == 0


@pytest.mark.parametrize("code", ["PROG_PLAN", "SPEND_PLAN"])
def test_a_project_manager_cannot_write_the_plan_they_are_measured_against(seeded_engine, code):
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    project_id = int(reads.list_projects(seeded_engine, manager)["id"].iloc[0])
    with pytest.raises(ValidationError) as caught:
        writes.record_observation(seeded_engine, manager, project_id=project_id, indicator_code=code,
                                  period=dt.date(2026, 11, 1), value=10.0)
    assert caught.value.message_zh == f"{code} 是计划值，只能由区县专员、分析员或管理员填报"
    assert _audit_count(seeded_engine) == 0
    official = as_viewer(seeded_engine, "official_longting")
    _, longting_id, _, _ = _longting_project(seeded_engine)
    writes.record_observation(seeded_engine, official, project_id=longting_id, indicator_code=code,
                              period=dt.date(2026, 11, 1), value=10.0)
    assert _audit_count(seeded_engine) == 1


@pytest.mark.parametrize(("period", "values", "message"), [
    (dt.date(9999, 1, 1), {"PROG_ACTUAL": 50.0}, "期间 9999-01 须在 2000-01 至"),
    (dt.date(1999, 12, 1), {"PROG_ACTUAL": 50.0}, "期间 1999-12 须在 2000-01 至"),
    ("2026-11", {"PROG_ACTUAL": 50.0}, "期间须为日期"),
    (dt.date(2026, 11, 1), {"PROG_ACTUAL": -5.0}, "PROG_ACTUAL 须在 0 到 100 之间（填写的是 -5）"),
    (dt.date(2026, 11, 1), {"PROG_ACTUAL": 150}, "PROG_ACTUAL 须在 0 到 100 之间（填写的是 150）"),
    (dt.date(2026, 11, 1), {"SPEND_CUM": 1e308}, "SPEND_CUM 须在 0 到 10,000,000,000 之间（填写的是 1e+308）"),
    (dt.date(2026, 11, 1), {"SPEND_CUM": -1.0}, "SPEND_CUM 须在 0 到 10,000,000,000 之间（填写的是 -1）"),
    (dt.date(2026, 11, 1), {"QUALITY_PASS": "ninety"}, "QUALITY_PASS 的数值不是有效数字"),
    (dt.date(2026, 11, 1), {"QUALITY_PASS": None}, "QUALITY_PASS 的数值不是有效数字"),
    (dt.date(2026, 11, 1), {"QUALITY_PASS": Decimal("NaN")}, "QUALITY_PASS 的数值不是有效数字"),
    (dt.date(2026, 11, 1), {}, "未填写任何数值"),
    # one bad value spoils the whole report: nothing of it is written
    (dt.date(2026, 11, 1), {"PROG_ACTUAL": 50.0, "SPEND_CUM": -1.0},
     "SPEND_CUM 须在 0 到 10,000,000,000 之间（填写的是 -1）"),
])
def test_a_report_with_a_wrong_type_or_implausible_value_stores_nothing(seeded_engine, period, values, message):
    official, project_id, _, _ = _longting_project(seeded_engine)
    with pytest.raises(ValidationError) as caught:
        writes.record_report(seeded_engine, official, project_id=project_id, period=period, values=values)
    assert caught.value.message_zh.startswith(message)
    assert _audit_count(seeded_engine) == 0


def test_a_whole_report_is_stored_in_one_transaction_with_an_audit_entry_per_value(seeded_engine):
    official, project_id, _, _ = _longting_project(seeded_engine)
    stored = writes.record_report(seeded_engine, official, project_id=project_id, period=dt.date(2026, 11, 1),
                                  values={"PROG_ACTUAL": 64, "SPEND_CUM": Decimal("1234.5")})
    assert stored == {"PROG_ACTUAL": 64.0, "SPEND_CUM": 1234.5}
    history = reads.load_observations(seeded_engine, official, project_ids=[project_id],
                                      indicator_codes=["PROG_ACTUAL", "SPEND_CUM"], since=dt.date(2026, 11, 1))
    assert dict(zip(history["indicator_code"], history["value"], strict=True)) == stored
    assert _audit_count(seeded_engine) == 2 and verify_chain(seeded_engine).ok


@pytest.mark.parametrize(("changes", "message"), [
    ({"percent_complete": "half"}, "完成百分比不是有效数字"),
    ({"planned_end": "2030-01-01"}, "日期字段 planned_end 须为日期"),
    ({"name_zh": "里" * 121}, "中文名称须为 1–120 个字符的文字"),
    ({"owner_id": "pm_xiangtan1"}, "负责人须为能查看该项目的在职管理员、区县专员或项目经理"),
    ({"owner_id": 999_999}, "负责人须为能查看该项目的在职管理员、区县专员或项目经理"),
])
def test_wrong_milestone_values_and_owners_from_elsewhere_are_validation_errors(seeded_engine, changes, message):
    official = as_viewer(seeded_engine, "official_longting")
    milestone = reads.list_milestones(seeded_engine, official).iloc[0]
    if changes.get("owner_id") == "pm_xiangtan1":
        changes = {"owner_id": as_viewer(seeded_engine, "pm_xiangtan1").user_id}
    with pytest.raises(ValidationError) as caught:  # "half" was a raw ValueError, 999999 an IntegrityError on PG
        writes.update_milestone(seeded_engine, official, int(milestone["id"]), int(milestone["version"]), changes)
    assert caught.value.message_zh == message
    assert _audit_count(seeded_engine) == 0
