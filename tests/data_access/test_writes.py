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


@pytest.mark.parametrize("username", ["leader", "auditor", "analyst", "pm_kaifeng1"])
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
