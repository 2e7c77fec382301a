"""The project register's writes: every problem of a new project at once, category templates, status moves
(archive leaves every dashboard read), milestone order, targets; conflicts write nothing; audit before/after."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access import reads, register
from data_access.audit import verify_chain
from data_access.demo.library import INDICATORS
from data_access.errors import PermissionDenied, ValidationError, VersionConflict
from data_access.models import AuditEntry, Category, Department, Milestone, Project, ProjectTarget, Region, User
from services.portfolio import portfolio
from services.scores import period_scores
from tests.conftest import as_viewer
from tests.db_checksum import table_checksums

LONGTING_CENTRE = (34.8407, 114.2763)  # 龙亭区 (GCJ-02), radius 22 km: sites up to 26.4 km away (+20 %) are accepted


def _ids(engine):
    """Ids the tests need: regions by code, categories by code, a Kaifeng department, a Kaifeng and a Xiangtan
    project manager."""
    with Session(engine) as session:
        regions = dict(session.execute(select(Region.code, Region.id)).all())
        categories = dict(session.execute(select(Category.code, Category.id)).all())
        kaifeng_department = session.execute(select(Department.id).where(
            Department.region_id == regions["410200"], Department.code == "wlj")).scalar_one()
        xiangtan_department = session.execute(select(Department.id).where(
            Department.region_id == regions["430300"], Department.code == "wlj")).scalar_one()
        users = dict(session.execute(select(User.username, User.id)).all())
    return {"regions": regions, "categories": categories, "kaifeng_department": kaifeng_department,
            "xiangtan_department": xiangtan_department, "users": users}


def _fields(ids, **changes):
    fields = {"code": "P410202-09001", "name_zh": "龙亭湖游客中心", "name_en": "Longting lake visitor centre",
              "category_id": ids["categories"]["culture_tourism"], "region_id": ids["regions"]["410202"],
              "department_id": ids["kaifeng_department"], "manager_id": ids["users"]["pm_kaifeng1"],
              "budget": Decimal("12345678.91"), "planned_start": dt.date(2026, 3, 1),
              "planned_end": dt.date(2027, 6, 30), "lat": LONGTING_CENTRE[0] + 0.01, "lon": LONGTING_CENTRE[1],
              "description": "一期：游客中心与停车场"}
    return {**fields, **changes}


def _problems(engine, username, fields):
    with Session(engine) as session:
        return register.project_problems(session, as_viewer(engine, username), fields)


def _count(engine, model):
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar()


def _audit(engine, action):
    with engine.connect() as connection:
        return connection.execute(select(AuditEntry.before, AuditEntry.after)
                                  .where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def test_a_good_new_project_has_no_problems(seeded_engine):
    assert _problems(seeded_engine, "admin", _fields(_ids(seeded_engine))) == []


def test_every_problem_of_a_new_project_is_reported_at_once_with_its_column(seeded_engine):
    ids = _ids(seeded_engine)
    fields = _fields(ids, code="X-1", name_zh=" ", category_id=999, department_id=ids["xiangtan_department"],
                     manager_id=ids["users"]["pm_xiangtan1"], budget=Decimal("-5"),
                     planned_end=dt.date(2026, 2, 1), lat=LONGTING_CENTRE[0] + 0.3)
    assert _problems(seeded_engine, "admin", fields) == [
        ("code", r"项目编号 X-1 不符合格式 P\d{6}-\d{5}",
         r"The project code X-1 does not match the pattern P\d{6}-\d{5}"),
        ("name_zh", "中文名称须为 1–120 个字符的文字", "name_zh must be text of 1–120 characters"),
        ("planned_end", "计划完成日期早于计划开工日期", "Planned end is before planned start"),
        ("budget", "预算不能为负数", "Budget must be zero or more"),
        ("category_id", "未知的项目类别", "Unknown project category"),
        ("department_id", "所选部门不属于该项目所在地区", "The department does not belong to the project's region"),
        ("manager_id", "项目经理须为在职、且在该项目所在地区工作的项目经理",
         "The manager must be an active project manager working in the project's region"),
        ("lat", "工地坐标距龙亭区中心 33.4 公里，超出该地区范围 26.4 公里（多出 7.0 公里）",  # 0.3° × 111.2 km
         "The site is 33.4 km from the centre of Longting District, beyond its 26.4 km extent by 7.0 km"),
    ]


def test_missing_fields_a_used_code_and_a_budget_below_the_fen_are_named(seeded_engine):
    ids = _ids(seeded_engine)
    used = reads.list_projects(seeded_engine, as_viewer(seeded_engine, "admin"))["code"].iloc[0]
    fields = _fields(ids, code=used, budget=Decimal("100.005"))
    del fields["name_en"], fields["lat"]
    assert _problems(seeded_engine, "admin", fields) == [
        ("name_en", "请填写英文名称", "name_en is required"),
        ("lat", "请填写纬度", "lat is required"),
        ("code", f"项目编号 {used} 已被使用", f"The project code {used} is already in use"),
        ("budget", "预算最多精确到分（两位小数）", "Budget has more than two decimal places (fen)"),
    ]


def test_the_code_pattern_is_a_setting(seeded_engine, monkeypatch):
    monkeypatch.setenv("PERFDASH_PROJECT_CODE_PATTERN", r"KF-\d{4}")
    ids = _ids(seeded_engine)
    assert _problems(seeded_engine, "admin", _fields(ids, code="KF-0042")) == []
    assert [problem[0] for problem in _problems(seeded_engine, "admin", _fields(ids))] == ["code"]


def test_a_changed_project_keeps_its_code_under_a_new_pattern_but_a_new_project_may_not_take_it(seeded_engine,
                                                                                                   monkeypatch):
    monkeypatch.setenv("PERFDASH_PROJECT_CODE_PATTERN", r"KF-\d{4}")
    admin = as_viewer(seeded_engine, "admin")
    project = reads.get_project(seeded_engine, admin, int(_a_project(seeded_engine)["id"]))
    with Session(seeded_engine) as session:
        row = session.get(Project, project["id"])
        fields = {name: getattr(row, name) for name in register.PROJECT_FIELDS}
        assert register.project_problems(session, admin, fields, project_id=row.id) == []
        assert [problem[0] for problem in register.project_problems(session, admin, fields)] == ["code"]


def test_an_official_cannot_create_a_project_in_another_district_and_nothing_is_written(seeded_engine):
    ids = _ids(seeded_engine)
    official = as_viewer(seeded_engine, "official_gulou")  # 鼓楼区, not 龙亭区
    before = _count(seeded_engine, Project)
    with pytest.raises(register.ProjectProblems) as caught:
        register.create_project(seeded_engine, official, _fields(ids))
    assert caught.value.problems == [("region_id", "区域不存在或您无权访问",
                                      "No such region, or you may not access it")]
    assert caught.value.message_zh == "区域不存在或您无权访问"
    assert _count(seeded_engine, Project) == before and _count(seeded_engine, AuditEntry) == 0


@pytest.mark.parametrize("username", ["leader", "auditor", "pm_kaifeng1"])
def test_roles_without_the_register_cannot_create_projects(seeded_engine, username):
    with pytest.raises(PermissionDenied):
        register.create_project(seeded_engine, as_viewer(seeded_engine, username), _fields(_ids(seeded_engine)))


def test_a_new_project_gets_its_category_template_with_exact_weights_and_targets(seeded_engine):
    ids = _ids(seeded_engine)
    official = as_viewer(seeded_engine, "official_longting")
    project_id = register.create_project(seeded_engine, official, _fields(ids))
    stored = reads.get_project(seeded_engine, official, project_id)
    assert (stored["status"], stored["budget"], stored["version"]) == ("planned", Decimal("12345678.91"), 1)
    assert stored["description"] == "一期：游客中心与停车场"
    targets = reads.list_project_targets(seeded_engine, official, project_id=project_id).set_index("indicator_code")
    expected = {spec.code: (float(spec.weight), float(spec.target)) for spec in INDICATORS
                if spec.scored and spec.category in (None, "culture_tourism")}
    assert {code: (row.weight_override, row.target_value) for code, row in targets.iterrows()} == expected
    assert expected["PROG_RATIO"] == (3.0, 100.0) and expected["VISITOR_GROWTH"] == (2.0, 12.0)  # common, own category
    [(before, after)] = _audit(seeded_engine, "project.create")
    assert before is None
    assert '"code":"P410202-09001"' in after and '"indicator":"PROG_RATIO","target_value":100.0,"weight":3.0' in after
    assert verify_chain(seeded_engine).ok


def test_without_the_template_a_project_has_no_targets_and_applying_it_later_never_overwrites(seeded_engine):
    ids = _ids(seeded_engine)
    admin = as_viewer(seeded_engine, "admin")
    project_id = register.create_project(seeded_engine, admin, _fields(ids), apply_template=False)
    assert reads.list_project_targets(seeded_engine, admin, project_id=project_id).empty
    register.set_project_target(seeded_engine, admin, project_id, "PROG_RATIO", 95, baseline=None, weight=5,
                                seen=None)
    added = register.apply_category_template(seeded_engine, admin, project_id)
    assert "PROG_RATIO" not in added and "VISITOR_GROWTH" in added
    targets = reads.list_project_targets(seeded_engine, admin, project_id=project_id).set_index("indicator_code")
    assert (targets.loc["PROG_RATIO", "target_value"], targets.loc["PROG_RATIO", "weight_override"]) == (95.0, 5.0)
    assert register.apply_category_template(seeded_engine, admin, project_id) == []


def _a_project(engine, region_code="410202"):
    projects = reads.list_projects(engine, as_viewer(engine, "admin"))
    return projects[projects["region_code"] == region_code].iloc[0]


def test_an_archived_project_leaves_every_dashboard_read_but_stays_in_the_register(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    scored = period_scores(seeded_engine, admin)
    project_id = int(scored.index[0])
    version = int(reads.get_project(seeded_engine, admin, project_id)["version"])
    register.set_project_status(seeded_engine, admin, project_id, version, "archived")

    assert project_id not in reads.list_projects(seeded_engine, admin)["id"].tolist()
    assert project_id not in portfolio(seeded_engine, admin).index  # overview, map and district league
    assert project_id not in period_scores(seeded_engine, admin).index  # score cards and rankings
    assert project_id not in reads.load_indicator_matrix(seeded_engine, admin).index
    assert project_id not in reads.list_milestones(seeded_engine, admin)["project_id"].tolist()
    register_rows = reads.list_projects(seeded_engine, admin, include_archived=True).set_index("id")
    assert register_rows.loc[project_id, "status"] == "archived"
    assert reads.get_project(seeded_engine, admin, project_id)["status"] == "archived"

    register.set_project_status(seeded_engine, admin, project_id, version + 1, "active")
    assert project_id in period_scores(seeded_engine, admin).index
    assert _audit(seeded_engine, "project.status") == [('{"status":"active"}', '{"status":"archived"}'),
                                                        ('{"status":"archived"}', '{"status":"active"}')]


def test_only_allowed_status_moves_are_made(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    project = _a_project(seeded_engine)
    project_id, version = int(project["id"]), int(project["version"])
    register.set_project_status(seeded_engine, admin, project_id, version, "completed")
    with pytest.raises(ValidationError) as caught:
        register.set_project_status(seeded_engine, admin, project_id, version + 1, "active")
    assert caught.value.message_zh == "项目当前为「已完工」，不能改为「在建」"


def test_a_stale_status_change_is_a_conflict_and_writes_nothing(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    project = _a_project(seeded_engine)
    project_id, version = int(project["id"]), int(project["version"])
    register.set_project_status(seeded_engine, admin, project_id, version, "suspended")
    with pytest.raises(VersionConflict):
        register.set_project_status(seeded_engine, admin, project_id, version, "archived")
    assert reads.get_project(seeded_engine, admin, project_id)["status"] == "suspended"
    assert len(_audit(seeded_engine, "project.status")) == 1


def test_an_official_cannot_archive_another_districts_project(seeded_engine):
    project = _a_project(seeded_engine, "410204")
    with pytest.raises(PermissionDenied):
        register.set_project_status(seeded_engine, as_viewer(seeded_engine, "official_longting"), int(project["id"]),
                                    int(project["version"]), "archived")


def _milestone_order(engine, project_id):
    with engine.connect() as connection:
        return connection.execute(select(Milestone.id, Milestone.seq).where(Milestone.project_id == project_id)
                                  .order_by(Milestone.seq)).all()


def test_milestones_are_added_at_the_end_and_reordered_with_unique_seqs(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    project_id = int(_a_project(seeded_engine)["id"])
    before = [milestone_id for milestone_id, _ in _milestone_order(seeded_engine, project_id)]
    new_id = register.add_milestone(seeded_engine, analyst, project_id, {
        "name_zh": "竣工验收", "name_en": "Final acceptance", "planned_start": dt.date(2027, 1, 1),
        "planned_end": dt.date(2027, 2, 1)})
    assert _milestone_order(seeded_engine, project_id)[-1] == (new_id, len(before) + 1)
    wanted = [new_id, *reversed(before)]
    register.reorder_milestones(seeded_engine, analyst, project_id, wanted)
    assert _milestone_order(seeded_engine, project_id) == [(m, k) for k, m in enumerate(wanted, start=1)]
    [(old, new)] = _audit(seeded_engine, "milestone.reorder")
    assert (old, new) == (f'{{"order":{[*before, new_id]}}}'.replace(" ", ""), f'{{"order":{wanted}}}'.replace(" ", ""))


def test_reordering_a_list_that_changed_meanwhile_is_a_conflict_and_writes_nothing(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    project_id = int(_a_project(seeded_engine)["id"])
    order = _milestone_order(seeded_engine, project_id)
    with pytest.raises(VersionConflict):
        register.reorder_milestones(seeded_engine, admin, project_id, [m for m, _ in order][:-1])
    assert _milestone_order(seeded_engine, project_id) == order
    assert _audit(seeded_engine, "milestone.reorder") == []


def test_a_milestone_ending_before_it_starts_is_refused(seeded_engine):
    with pytest.raises(ValidationError) as caught:
        register.add_milestone(seeded_engine, as_viewer(seeded_engine, "admin"), int(_a_project(seeded_engine)["id"]),
                               {"name_zh": "x", "name_en": "x", "planned_start": dt.date(2027, 2, 1),
                                "planned_end": dt.date(2027, 1, 1)})
    assert caught.value.message_zh == "计划完成日期早于计划开始日期"


def test_targets_are_upserted_and_removed_with_before_and_after_in_the_audit_log(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    project_id = int(_a_project(seeded_engine)["id"])
    targets = reads.list_project_targets(seeded_engine, admin, project_id=project_id).set_index("indicator_code")
    old = targets.loc["PROG_RATIO"]
    register.set_project_target(seeded_engine, admin, project_id, "PROG_RATIO", 98.5, baseline=10, weight=2.5,
                                seen=old[list(register.TARGET_FIELDS)].to_dict())
    register.remove_project_target(seeded_engine, admin, project_id, "PROG_RATIO",
                                   seen={"target_value": 98.5, "baseline_value": 10, "weight_override": 2.5})
    assert "PROG_RATIO" not in reads.list_project_targets(seeded_engine, admin, project_id=project_id)[
        "indicator_code"].tolist()
    [(before, after)] = _audit(seeded_engine, "target.set")
    assert f'"target_value":{old["target_value"]}' in before
    assert after == '{"baseline_value":10.0,"target_value":98.5,"weight_override":2.5}'
    assert _audit(seeded_engine, "target.remove") == [(after, None)]


def test_a_target_saved_by_someone_else_meanwhile_is_neither_overwritten_nor_removed(seeded_engine):
    admin, official = as_viewer(seeded_engine, "admin"), as_viewer(seeded_engine, "official_longting")
    project_id = int(_a_project(seeded_engine)["id"])
    opened = reads.list_project_targets(seeded_engine, admin, project_id=project_id).set_index(
        "indicator_code").loc["PROG_RATIO", list(register.TARGET_FIELDS)].to_dict()
    register.set_project_target(seeded_engine, official, project_id, "PROG_RATIO", 97, weight=4, seen=opened)
    before = table_checksums(seeded_engine)
    with pytest.raises(VersionConflict) as caught:  # the admin's form still shows the old target
        register.set_project_target(seeded_engine, admin, project_id, "PROG_RATIO", 90, seen=opened)
    assert caught.value.message_zh == ("指标 PROG_RATIO 的目标已被他人修改（现为 目标值 97、权重 4），"
                                       "您的修改未保存，请刷新后重试")
    with pytest.raises(VersionConflict):
        register.remove_project_target(seeded_engine, admin, project_id, "PROG_RATIO", seen=opened)
    with pytest.raises(VersionConflict):  # a KPI the form showed without a target got one meanwhile
        register.set_project_target(seeded_engine, admin, project_id, "PROG_RATIO", 90, seen=None)
    assert table_checksums(seeded_engine) == before


def test_a_kpi_of_another_category_and_a_negative_weight_are_refused(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    project = _a_project(seeded_engine)
    other = next(spec.code for spec in INDICATORS if spec.category not in (None, project["category_code"]))
    with pytest.raises(ValidationError) as caught:
        register.set_project_target(seeded_engine, admin, int(project["id"]), other, 1, seen=None)
    assert caught.value.message_zh == f"{other} 不是该项目类别的指标"
    with pytest.raises(ValidationError) as caught:
        register.set_project_target(seeded_engine, admin, int(project["id"]), "PROG_RATIO", 1, weight=-1, seen=None)
    assert caught.value.message_zh == "权重不能为负数"
    assert _count(seeded_engine, AuditEntry) == 0
    assert _count(seeded_engine, ProjectTarget) > 0


@pytest.mark.parametrize(("actual_start", "actual_end", "status"), [
    (None, None, "planned"), (dt.date(2025, 1, 1), None, "active"), (dt.date(2025, 1, 1), dt.date(2026, 1, 1),
                                                                    "completed")])
def test_a_restored_project_returns_to_the_status_its_dates_show(actual_start, actual_end, status):
    assert register.restored_status({"actual_start": actual_start, "actual_end": actual_end}) == status
