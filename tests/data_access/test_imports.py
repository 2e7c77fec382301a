"""Planning, committing and rolling back imports against the small demo database (both backends).

Project P410202-00007 (龙亭区, manager pm_kaifeng1, planned 2025-07-08 … 2028-07-10) has demo figures for
every month 2025-12 … 2026-11; P410204-00004 is in 鼓楼区, outside official_longting's district.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data_access import viewer_data_versions, writes
from data_access.api_tokens import authenticate, create_token
from data_access.audit import verify_chain
from data_access.db import DataVersions
from data_access.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from data_access.imports import (
    ImportRejected,
    applied_batch_with,
    commit_import,
    list_batches,
    plan_import,
    rollback_batch,
)
from data_access.imports import observations as observation_planner
from data_access.models import (
    AuditEntry,
    Category,
    CategoryTemplateItem,
    ImportBatch,
    ImportChange,
    Indicator,
    Milestone,
    Observation,
    Project,
    ProjectTarget,
    Region,
)
from scoring.periods import add_months, first_of_month
from tests.conftest import as_viewer
from tests.db_checksum import changed_tables, table_checksums

LONGTING = "P410202-00007"
GULOU = "P410204-00004"
SHA = "a" * 64
DEMO_BATCH = 1  # the demo load's own batch (analyst, 2026-11-01), older than any a test makes
OBSERVATION_COLUMNS = ["project_code", "indicator_code", "period", "value"]


def _rows(columns: list[str], values: list[tuple], first_row: int = 2) -> pd.DataFrame:
    """Typed rows as validation hands them over: the index is the row number the user sees."""
    return pd.DataFrame(values, columns=columns, index=range(first_row, first_row + len(values)), dtype=object)


def _observations(values: list[tuple], first_row: int = 2) -> pd.DataFrame:
    return _rows(OBSERVATION_COLUMNS, [(p, i, dt.date.fromisoformat(m + "-01"), v) for p, i, m, v in values],
                 first_row)


def _stored(engine, project_code: str, indicator_code: str, month: str) -> tuple | None:
    with engine.connect() as connection:
        return connection.execute(
            select(Observation.value, Observation.source, Observation.import_batch_id)
            .join(Project, Project.id == Observation.project_id)
            .join(Indicator, Indicator.id == Observation.indicator_id)
            .where(Project.code == project_code, Indicator.code == indicator_code,
                   Observation.period == dt.date.fromisoformat(month + "-01"))).one_or_none()


def _count(engine, model, *where) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _audit_actions(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


def _mixed_file(engine) -> pd.DataFrame:
    """Row 2 unchanged, row 3 changed, rows 4 and 5 new."""
    october = _stored(engine, LONGTING, "PROG_ACTUAL", "2026-10")[0]
    november = _stored(engine, LONGTING, "PROG_ACTUAL", "2026-11")[0]
    return _observations([(LONGTING, "PROG_ACTUAL", "2026-10", october),
                          (LONGTING, "PROG_ACTUAL", "2026-11", november + 1.5),
                          (LONGTING, "PROG_ACTUAL", "2026-12", 60.0),
                          (LONGTING, "RESIDENT_SAT", "2026-12", 91.0)])


def test_a_plan_counts_new_changed_and_unchanged_rows_and_shows_the_values_it_replaces(seeded_engine):
    november = _stored(seeded_engine, LONGTING, "PROG_ACTUAL", "2026-11")[0]
    before = table_checksums(seeded_engine)
    plan = plan_import(seeded_engine, as_viewer(seeded_engine, "analyst"), "observations",
                       _mixed_file(seeded_engine), sheet="月度数据")
    assert plan.problems == []
    assert dict(plan.counts) == {"new": 2, "changed": 1, "unchanged": 1}
    assert plan.rows["change"].tolist() == ["unchanged", "changed", "new", "new"]
    assert plan.rows.loc[3, "before"] == {"value": november}
    assert plan.rows.loc[2, "before"] is None and plan.rows.loc[4, "before"] is None
    assert table_checksums(seeded_engine) == before  # planning writes nothing


def test_a_commit_writes_new_and_changed_rows_with_their_batch_changes_and_audit(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    november = _stored(seeded_engine, LONGTING, "PROG_ACTUAL", "2026-11")
    result = commit_import(seeded_engine, analyst, "observations", _mixed_file(seeded_engine), sheet="月度数据",
                           filename="十二月.xlsx", sha256=SHA)
    assert dict(result.counts) == {"new": 2, "changed": 1, "unchanged": 1}
    assert result.project_ids == (7,)
    assert _stored(seeded_engine, LONGTING, "PROG_ACTUAL", "2026-11") == (november[0] + 1.5, "import",
                                                                          result.batch_id)
    assert _stored(seeded_engine, LONGTING, "RESIDENT_SAT", "2026-12") == (91.0, "import", result.batch_id)
    with seeded_engine.connect() as connection:
        batch = connection.execute(select(ImportBatch.__table__).where(ImportBatch.id == result.batch_id)).one()
        changes = connection.execute(select(ImportChange.seq, ImportChange.entity_key, ImportChange.before)
                                     .order_by(ImportChange.seq)).all()
    assert (batch.kind, batch.filename, batch.source, batch.status, batch.row_count) == (
        "observations", "十二月.xlsx", "upload", "applied", 4)
    assert (batch.new_rows, batch.changed_rows, batch.unchanged_rows, batch.uploaded_by) == (2, 1, 1, analyst.user_id)
    assert [(seq, key) for seq, key, _ in changes] == [(1, f"{LONGTING}/PROG_ACTUAL/2026-11"),
                                                       (2, f"{LONGTING}/PROG_ACTUAL/2026-12"),
                                                       (3, f"{LONGTING}/RESIDENT_SAT/2026-12")]
    assert json.loads(changes[0][2])["value"] == november[0] and changes[1][2] is None and changes[2][2] is None
    assert _audit_actions(seeded_engine) == ["import.commit", "observation.import"]
    with seeded_engine.connect() as connection:
        entity_id, before, after = connection.execute(
            select(AuditEntry.entity_id, AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.action == "observation.import")).one()
    assert entity_id == "7/PROG_ACTUAL/2026-11"
    assert json.loads(before) == {"value": november[0]} and json.loads(after) == {"value": november[0] + 1.5}
    assert verify_chain(seeded_engine).ok


def test_importing_the_same_file_again_changes_nothing_but_records_the_batch(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    rows = _mixed_file(seeded_engine)
    commit_import(seeded_engine, analyst, "observations", rows, sheet="s", filename="a.csv", sha256=SHA)
    before = table_checksums(seeded_engine)
    versions = {name: viewer_data_versions(seeded_engine, as_viewer(seeded_engine, name))
                for name in ("official_longting", "official_gulou")}
    again = commit_import(seeded_engine, analyst, "observations", rows, sheet="s", filename="a.csv", sha256=SHA)
    assert dict(again.counts) == {"new": 0, "changed": 0, "unchanged": 4}
    assert again.project_ids == ()  # nothing changed: no warnings to evaluate again
    # the batch moves on the version of the district its rows name (so lists of batches show it), not the whole
    # database's counter, which would leave every region's cached pages stale
    assert changed_tables(before, table_checksums(seeded_engine)) == [
        "audit_chain_head", "audit_log", "import_batches", "region_data_versions"]
    after = {name: viewer_data_versions(seeded_engine, as_viewer(seeded_engine, name)) for name in versions}
    assert after["official_longting"].scope == versions["official_longting"].scope + 1
    assert after["official_gulou"] == DataVersions(versions["official_gulou"].base,
                                                   versions["official_gulou"].whole + 1,
                                                   versions["official_gulou"].scope)
    assert _count(seeded_engine, ImportChange, ImportChange.batch_id == again.batch_id) == 0
    assert _audit_actions(seeded_engine)[-1] == "import.commit"


def test_the_same_file_is_found_until_its_batch_is_rolled_back(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    assert applied_batch_with(seeded_engine, analyst, SHA) is None
    result = commit_import(seeded_engine, analyst, "observations", _mixed_file(seeded_engine), sheet="s",
                           filename="a.csv", sha256=SHA)
    found = applied_batch_with(seeded_engine, analyst, SHA)
    assert (found["id"], found["filename"], found["uploaded_by"]) == (result.batch_id, "a.csv", "analyst")
    assert applied_batch_with(seeded_engine, as_viewer(seeded_engine, "admin"), SHA)["id"] == result.batch_id
    assert applied_batch_with(seeded_engine, as_viewer(seeded_engine, "official_longting"), SHA) is None
    rollback_batch(seeded_engine, analyst, result.batch_id)
    assert applied_batch_with(seeded_engine, analyst, SHA) is None


def test_a_rollback_restores_every_value_and_deletes_the_rows_the_batch_created(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    before = table_checksums(seeded_engine)
    result = commit_import(seeded_engine, analyst, "observations", _mixed_file(seeded_engine), sheet="s",
                           filename="a.csv", sha256=SHA)
    assert rollback_batch(seeded_engine, analyst, result.batch_id) == (7,)  # its warnings are worth re-evaluating
    after = table_checksums(seeded_engine)
    assert after["observations"] == before["observations"]  # the same rows, values, sources and batches as before
    # the import moved its project's region's version on, the rollback (not declared within projects) the whole's
    assert changed_tables(before, after) == ["audit_chain_head", "audit_log", "data_version", "import_batches",
                                             "import_changes", "region_data_versions"]
    batches = list_batches(seeded_engine, analyst)
    assert batches[["id", "status", "rolled_back_by"]].values.tolist()[0] == [result.batch_id, "rolled_back",
                                                                              "analyst"]
    assert _audit_actions(seeded_engine) == ["import.commit", "observation.import", "observation.restore",
                                             "import.rollback"]
    assert verify_chain(seeded_engine).ok
    with pytest.raises(VersionConflict) as caught:
        rollback_batch(seeded_engine, analyst, result.batch_id)
    assert "已被回退" in caught.value.message_zh


def test_a_rollback_is_refused_when_a_row_was_changed_since_and_nothing_is_written(seeded_engine):
    analyst = as_viewer(seeded_engine, "analyst")
    result = commit_import(seeded_engine, analyst, "observations", _mixed_file(seeded_engine), sheet="s",
                           filename="a.csv", sha256=SHA)
    writes.record_observation(seeded_engine, as_viewer(seeded_engine, "admin"), project_id=7,
                              indicator_code="PROG_ACTUAL", period=dt.date(2026, 12, 1), value=61.0)
    before = table_checksums(seeded_engine)
    with pytest.raises(ValidationError) as caught:
        rollback_batch(seeded_engine, analyst, result.batch_id)
    assert caught.value.message_zh == f"1 行在本次导入之后又被修改（{LONGTING}/PROG_ACTUAL/2026-12），未回退任何数据"
    assert table_checksums(seeded_engine) == before


def test_the_demos_batch_recorded_no_changes_so_it_is_not_rolled_back_and_nothing_is_written(seeded_engine):
    with seeded_engine.connect() as connection:  # the demo loader's batch: no sha256, no ImportChange rows
        demo_batch = connection.execute(select(ImportBatch.id).where(ImportBatch.sha256.is_(None))).scalar_one()
    before = table_checksums(seeded_engine)
    with pytest.raises(ValidationError) as caught:
        rollback_batch(seeded_engine, as_viewer(seeded_engine, "admin"), demo_batch)
    assert caught.value.message_zh == "该批次由演示数据或早期版本载入，未记录导入前的数据，无法回退"
    assert table_checksums(seeded_engine) == before


def test_an_officials_rows_outside_their_district_are_refused_by_row_with_the_words_of_an_unknown_code(
        seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    rows = _observations([(LONGTING, "PROG_ACTUAL", "2026-12", 50.0),
                          (GULOU, "PROG_ACTUAL", "2026-12", 50.0),
                          (LONGTING, "RESIDENT_SAT", "2026-12", 90.0),
                          ("P000000-99999", "PROG_ACTUAL", "2026-12", 50.0)])
    plan = plan_import(seeded_engine, official, "observations", rows, sheet="月度数据")
    assert [(p.sheet, p.row, p.column, p.message_zh) for p in plan.problems] == [
        ("月度数据", 3, "project_code", f"项目编码 {GULOU} 不存在或不在您的管辖范围内"),
        ("月度数据", 5, "project_code", "项目编码 P000000-99999 不存在或不在您的管辖范围内")]
    assert plan.rows["change"].tolist() == ["new", None, "new", None]
    assert dict(plan.counts) == {"new": 2, "changed": 0, "unchanged": 0}
    before = table_checksums(seeded_engine)
    with pytest.raises(ImportRejected) as caught:
        commit_import(seeded_engine, official, "observations", rows, sheet="月度数据", filename="a.csv", sha256=SHA)
    assert caught.value.message_zh == "2 处问题，未导入任何数据"
    assert [problem.row for problem in caught.value.problems] == [3, 5]
    assert table_checksums(seeded_engine) == before


def test_one_bad_value_among_two_hundred_rows_refuses_the_whole_file(seeded_engine):
    months = [add_months(dt.date(2025, 10, 1), k) for k in range(14)]
    codes = ["RESIDENT_SAT", "QUALITY_PASS", "HAZARD_FIX", "FIRST_ACCEPT", "FUND_ARRIVAL", "MS_ONTIME",
             "RECTIFY_RATE", "BUDGET_EXEC"]
    values = [(project, code, f"{month:%Y-%m}", 80.0) for project in (LONGTING, "P410202-00024")
              for code in codes for month in months][:199]
    values.append((LONGTING, "PROG_ACTUAL", "2026-12", 150.0))
    rows = _observations(values)
    before = table_checksums(seeded_engine)
    with pytest.raises(ImportRejected) as caught:
        commit_import(seeded_engine, as_viewer(seeded_engine, "admin"), "observations", rows, sheet="s",
                      filename="a.csv", sha256=SHA)
    assert [(p.row, p.column, p.message_zh) for p in caught.value.problems] == [
        (201, "value", "PROG_ACTUAL 的数值须在 0 到 100 之间（填写的是 150）")]
    assert caught.value.message_zh == "1 处问题，未导入任何数据"
    assert table_checksums(seeded_engine) == before


def test_a_month_outside_the_projects_span_names_the_span(seeded_engine):
    latest = add_months(first_of_month(dt.date.today()), 12)
    rows = _observations([("P410202-00025", "PROG_ACTUAL", "2025-11", 10.0),
                          ("P410202-00025", "PROG_ACTUAL", "2025-12", 10.0),
                          ("P410202-00025", "PROG_ACTUAL", f"{add_months(latest, 1):%Y-%m}", 10.0)])
    plan = plan_import(seeded_engine, as_viewer(seeded_engine, "admin"), "observations", rows, sheet="s")
    last = min(dt.date(2027, 12, 1), latest)  # planned end 2026-12-14, plus twelve months
    assert [(p.row, p.column) for p in plan.problems] == [(2, "period"), (4, "period")]
    assert plan.problems[0].message_zh.startswith(
        f"月份 2025-11 不在项目 P410202-00025 的填报期间 2025-12 至 {last:%Y-%m} 内")
    assert plan.rows["change"].tolist() == [None, "changed", None]


def test_unknown_group_level_and_retired_indicators_are_refused(seeded_engine):
    with seeded_engine.begin() as connection:
        connection.execute(Indicator.__table__.update().where(Indicator.code == "COMPLAINTS")
                           .values(retired_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
        group = connection.execute(select(Indicator.code).where(Indicator.level == 2).limit(1)).scalar_one()
    rows = _observations([(LONGTING, "NO_SUCH", "2026-12", 1.0), (LONGTING, group, "2026-12", 1.0),
                          (LONGTING, "COMPLAINTS", "2026-12", 1.0)])
    plan = plan_import(seeded_engine, as_viewer(seeded_engine, "admin"), "observations", rows, sheet="s")
    assert [(p.row, p.message_zh) for p in plan.problems] == [
        (2, "指标编码 NO_SUCH 不存在，或不是可填报数据的三级指标"),
        (3, f"指标编码 {group} 不存在，或不是可填报数据的三级指标"),
        (4, "指标 COMPLAINTS 已停用，不再接收新数据")]


def test_the_second_of_two_rows_with_the_same_key_is_a_problem(seeded_engine):
    rows = _observations([(LONGTING, "PROG_ACTUAL", "2026-12", 50.0), (LONGTING, "PROG_ACTUAL", "2026-12", 51.0)])
    plan = plan_import(seeded_engine, as_viewer(seeded_engine, "admin"), "observations", rows, sheet="s")
    assert [(p.row, p.message_zh) for p in plan.problems] == [
        (3, "与第 2 行的「项目编码」、「指标编码」、「月份」相同。")]


def test_a_role_that_sets_no_plans_cannot_import_plan_series(seeded_engine):
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    rows = _observations([(LONGTING, "PROG_PLAN", "2026-12", 50.0), (LONGTING, "PROG_ACTUAL", "2026-12", 40.0)])
    with Session(seeded_engine) as session:
        planned = observation_planner.plan(session, manager, rows, "s")
    assert [(p.row, p.message_zh) for p in planned.plan.problems] == [
        (2, "PROG_PLAN 是计划值，只能由区县专员、分析员或管理员导入")]


@pytest.mark.parametrize("username", ["pm_kaifeng1", "leader", "auditor"])
def test_roles_without_the_import_right_are_refused(seeded_engine, username):
    viewer = as_viewer(seeded_engine, username)
    rows = _observations([(LONGTING, "PROG_ACTUAL", "2026-12", 40.0)])
    with pytest.raises(PermissionDenied):
        plan_import(seeded_engine, viewer, "observations", rows, sheet="s")
    with pytest.raises(PermissionDenied):
        commit_import(seeded_engine, viewer, "observations", rows, sheet="s", filename="a.csv", sha256=SHA)
    assert _count(seeded_engine, ImportBatch) == 1  # the demo load's


def test_a_batch_pushed_through_the_api_lists_its_token_as_the_uploader(seeded_engine):
    admin, analyst = as_viewer(seeded_engine, "admin"), as_viewer(seeded_engine, "analyst")
    token = create_token(seeded_engine, admin, name="财政<b>系统</b>", region_id=None, scopes=["write_observations"])
    actor = authenticate(seeded_engine, token.secret)
    pushed = commit_import(seeded_engine, actor.viewer, "observations",
                           _observations([(GULOU, "PROG_ACTUAL", "2026-12", 50.0)]), sheet="s",
                           filename=f"api:{actor.name}:k1", sha256=SHA, source="api",
                           api_token_id=actor.token_id, idempotency_key="k1")
    batches = list_batches(seeded_engine, analyst).set_index("id")
    assert batches.loc[pushed.batch_id, "uploaded_by"] == "API · 财政<b>系统</b>"
    assert batches.loc[DEMO_BATCH, "uploaded_by"] == "analyst"  # a person's batch still names the person


def test_an_official_lists_and_rolls_back_only_their_own_batches(seeded_engine):
    official, analyst = as_viewer(seeded_engine, "official_longting"), as_viewer(seeded_engine, "analyst")
    own = commit_import(seeded_engine, official, "observations",
                        _observations([(LONGTING, "PROG_ACTUAL", "2026-12", 50.0)]), sheet="s", filename="own.csv",
                        sha256=SHA)
    other = commit_import(seeded_engine, analyst, "observations",
                          _observations([(GULOU, "PROG_ACTUAL", "2026-12", 50.0)]), sheet="s", filename="x.csv",
                          sha256="b" * 64, source="cli")
    assert list_batches(seeded_engine, official)["id"].tolist() == [own.batch_id]
    assert list_batches(seeded_engine, analyst)["id"].tolist() == [other.batch_id, own.batch_id, DEMO_BATCH]
    assert list_batches(seeded_engine, as_viewer(seeded_engine, "leader")).empty
    with pytest.raises(NotFound) as caught:
        rollback_batch(seeded_engine, official, other.batch_id)
    assert caught.value.message_zh == "导入批次不存在或您无权访问"
    with pytest.raises(NotFound):
        rollback_batch(seeded_engine, official, 2**40)


def test_targets_count_changes_and_an_empty_baseline_keeps_the_stored_one(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    rows = _rows(["project_code", "indicator_code", "target_value", "baseline_value", "weight_override"], [
        (LONGTING, "PROG_RATIO", 100.0, None, None),  # as stored: unchanged
        (LONGTING, "ENTERPRISES", 20.0, None, None),  # target 16 → 20, baseline 0 kept
        (LONGTING, "ONLINE_SERVICE", 80.0, 10.0, 2.0),  # new
        (LONGTING, "MS_ONTIME", 95.0, None, -1.0),  # a negative weight
    ])
    plan = plan_import(seeded_engine, admin, "targets", rows, sheet="项目目标")
    assert [(p.row, p.column) for p in plan.problems] == [(5, "weight_override")]
    assert plan.rows["change"].tolist() == ["unchanged", "changed", "new", None]
    assert plan.rows.loc[3, "before"] == {"target_value": 16.0}
    before = table_checksums(seeded_engine)
    result = commit_import(seeded_engine, admin, "targets", rows.drop(index=5), sheet="项目目标", filename="t.xlsx",
                           sha256=SHA)
    with seeded_engine.connect() as connection:
        stored = connection.execute(select(ProjectTarget.target_value, ProjectTarget.baseline_value)
                                    .where(ProjectTarget.project_id == 7, ProjectTarget.indicator_id.in_(
                                        select(Indicator.id).where(Indicator.code == "ENTERPRISES")))).one()
    assert tuple(stored) == (20.0, 0.0)
    rollback_batch(seeded_engine, admin, result.batch_id)
    assert table_checksums(seeded_engine)["project_targets"] == before["project_targets"]


def test_milestones_check_the_owner_and_roll_back_to_the_stored_values(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    columns = ["project_code", "seq", "name_zh", "name_en", "planned_start", "planned_end", "actual_end",
               "percent_complete", "owner"]
    rows = _rows(columns, [
        (LONGTING, 2.0, "方案设计", None, dt.date(2026, 4, 8), dt.date(2027, 1, 9), None, 90.0, None),
        (LONGTING, 5.0, "试运行", "Trial run", dt.date(2028, 1, 1), dt.date(2028, 6, 30), None, None,
         "official_longting"),
        (LONGTING, 6.0, "验收", None, dt.date(2028, 7, 1), dt.date(2028, 7, 10), None, None, "official_gulou"),
        (LONGTING, 7.0, "收尾", None, dt.date(2028, 7, 10), dt.date(2028, 7, 1), None, None, None),
    ])
    plan = plan_import(seeded_engine, admin, "milestones", rows, sheet="里程碑")
    assert [(p.row, p.column) for p in plan.problems] == [(4, "owner"), (5, "planned_end")]
    assert plan.problems[0].message_zh == \
        f"负责人 official_gulou 须为能查看项目 {LONGTING} 的在职管理员、区县专员或项目经理"
    assert plan.rows["change"].tolist() == ["changed", "new", None, None]
    assert plan.rows.loc[2, "before"] == {"percent_complete": 85.9}
    before = table_checksums(seeded_engine)
    result = commit_import(seeded_engine, admin, "milestones", rows.loc[[2, 3]], sheet="里程碑", filename="m.xlsx",
                           sha256=SHA)
    with seeded_engine.connect() as connection:
        design = connection.execute(select(Milestone.name_en, Milestone.percent_complete, Milestone.version)
                                    .where(Milestone.project_id == 7, Milestone.seq == 2)).one()
        trial = connection.execute(select(Milestone.name_en, Milestone.percent_complete, Milestone.owner_id)
                                   .where(Milestone.project_id == 7, Milestone.seq == 5)).one()
    assert tuple(design) == ("Design", 90.0, 2)  # the empty English name kept; the version moved on
    assert tuple(trial) == ("Trial run", 0.0, 5)
    rollback_batch(seeded_engine, admin, result.batch_id)
    with seeded_engine.connect() as connection:
        assert connection.execute(select(Milestone.percent_complete).where(
            Milestone.project_id == 7, Milestone.seq == 2)).scalar_one() == 85.9
    assert _count(seeded_engine, Milestone, Milestone.project_id == 7) == 4
    assert changed_tables(before, table_checksums(seeded_engine)) == [
        "audit_chain_head", "audit_log", "data_version", "import_batches", "import_changes", "milestones",
        "region_data_versions"]


PROJECT_COLUMNS = ["code", "name_zh", "name_en", "category", "region", "department", "manager", "budget",
                   "planned_start", "planned_end", "status", "lat", "lon", "description"]


def _project(code: str, **changes) -> tuple:
    values = {"code": code, "name_zh": "龙亭区新建项目", "name_en": None, "category": "livelihood",
              "region": "410202", "department": None, "manager": None, "budget": Decimal("1200.5"),
              "planned_start": dt.date(2027, 1, 1), "planned_end": dt.date(2028, 6, 30), "status": None,
              "lat": None, "lon": None, "description": None} | changes
    return tuple(values[name] for name in PROJECT_COLUMNS)


def test_projects_are_checked_as_the_register_checks_them_and_created_at_their_regions_centre(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    rows = _rows(PROJECT_COLUMNS, [
        _project("P410202-90001"),  # new
        (LONGTING, "龙亭区食品加工园建设项目", None, "industrial_park", "410202", None, None, Decimal("10053"),
         dt.date(2025, 7, 8), dt.date(2028, 7, 10), None, None, None, None),  # as stored: unchanged
        _project("P410202-90002", region="410204"),  # another district
        _project("P410202-90003", category="no_such", manager="nobody"),
        _project("bad code"),
        _project("P410202-90004", lat=30.0, lon=114.3),  # far outside 龙亭区
    ])
    plan = plan_import(seeded_engine, official, "projects", rows, sheet="项目")
    assert [(p.row, p.column) for p in plan.problems] == [
        (4, "region"), (5, "category"), (5, "manager"), (6, "code"), (7, "lat")]
    assert plan.problems[0].message_zh == "区域 410204 不存在或不在您的管辖范围内"
    assert plan.rows["change"].tolist() == ["new", "unchanged", None, None, None, None]
    before = table_checksums(seeded_engine)
    result = commit_import(seeded_engine, official, "projects", rows.loc[[2, 3]], sheet="项目", filename="p.xlsx",
                           sha256=SHA)
    assert dict(result.counts) == {"new": 1, "changed": 0, "unchanged": 1}
    with seeded_engine.connect() as connection:
        created = connection.execute(select(Project.name_en, Project.budget, Project.status, Project.lat,
                                            Project.lon).where(Project.code == "P410202-90001")).one()
    assert tuple(created) == ("龙亭区新建项目", Decimal("12005000.00"), "planned", 34.8407, 114.2763)
    with seeded_engine.connect() as connection:  # the category template's targets, as the register's form gives
        given = connection.execute(
            select(Indicator.code, ProjectTarget.target_value, ProjectTarget.weight_override)
            .join(Indicator, Indicator.id == ProjectTarget.indicator_id).join(Project)
            .where(Project.code == "P410202-90001")).all()
        template = connection.execute(
            select(Indicator.code, CategoryTemplateItem.target_value, CategoryTemplateItem.weight)
            .join(Indicator, Indicator.id == CategoryTemplateItem.indicator_id)
            .join(Category, Category.id == CategoryTemplateItem.category_id)
            .where(Category.code == "livelihood")).all()
    assert sorted(given) == sorted(template) and len(given) > 5
    rollback_batch(seeded_engine, official, result.batch_id)  # the untouched template targets go with the project
    after = table_checksums(seeded_engine)
    assert (after["projects"], after["project_targets"]) == (before["projects"], before["project_targets"])


def test_categories_regions_and_departments_may_be_written_by_name_as_people_write_them(seeded_engine):
    official = as_viewer(seeded_engine, "official_longting")
    rows = _rows(PROJECT_COLUMNS, [
        _project("P410202-90001", category="民生实事/养老", region="龙亭区", department="开封市民政局"),
        _project("P410202-90002", category="Livelihood / elderly care", region="Longting District"),
        _project("P410202-90003", region="鼓楼区"),  # a district's name, but not the official's
    ])
    plan = plan_import(seeded_engine, official, "projects", rows, sheet="项目")
    assert [(p.row, p.column, p.message_zh) for p in plan.problems] == [
        (4, "region", "区域 鼓楼区 不存在或不在您的管辖范围内")]
    assert plan.rows["change"].tolist() == ["new", "new", None]


def test_a_region_name_several_regions_share_asks_for_the_code(seeded_engine):
    with seeded_engine.begin() as connection:  # a second 龙亭区 in another city (China has several 鼓楼区)
        connection.execute(Region.__table__.update().where(Region.code == "410204").values(name_zh="龙亭区"))
    rows = _rows(PROJECT_COLUMNS, [_project("P410202-90001", region="龙亭区")])
    plan = plan_import(seeded_engine, as_viewer(seeded_engine, "admin"), "projects", rows, sheet="项目")
    assert [(p.column, p.message_zh) for p in plan.problems] == [("region", "有多个区域名为 龙亭区，请填写区域代码")]


def test_a_created_project_is_not_deleted_by_a_rollback_once_it_has_data(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    rows = _rows(PROJECT_COLUMNS, [_project("P410202-90001")])
    result = commit_import(seeded_engine, admin, "projects", rows, sheet="项目", filename="p.xlsx", sha256=SHA)
    targets = _rows(["project_code", "indicator_code", "target_value", "baseline_value", "weight_override"],
                    [("P410202-90001", "RESIDENT_SAT", 77.0, None, None)])  # not the template's target
    commit_import(seeded_engine, admin, "targets", targets, sheet="t", filename="t.xlsx", sha256="b" * 64)
    before = table_checksums(seeded_engine)
    with pytest.raises(ValidationError) as caught:
        rollback_batch(seeded_engine, admin, result.batch_id)
    assert caught.value.message_zh == "本次导入新建的 1 个项目已有后来录入的数据（P410202-90001），未回退任何数据"
    assert table_checksums(seeded_engine) == before


def test_a_changed_project_moves_its_version_on_and_rolls_back_to_its_stored_values(seeded_engine):
    admin = as_viewer(seeded_engine, "admin")
    rows = _rows(PROJECT_COLUMNS, [
        (LONGTING, "龙亭区食品加工园（二期）", None, "industrial_park", "410202", None, "pm_kaifeng1",
         Decimal("12000"), dt.date(2025, 7, 8), dt.date(2028, 7, 10), "suspended", None, None, "扩建")])
    plan = plan_import(seeded_engine, admin, "projects", rows, sheet="项目")
    assert plan.rows.loc[2, "before"] == {"name_zh": "龙亭区食品加工园建设项目", "budget": Decimal("100530000.00"),
                                          "status": "active", "description": None}
    before = table_checksums(seeded_engine)
    result = commit_import(seeded_engine, admin, "projects", rows, sheet="项目", filename="p.xlsx", sha256=SHA)
    with seeded_engine.connect() as connection:
        stored = connection.execute(select(Project.budget, Project.status, Project.version, Project.manager_id)
                                    .where(Project.code == LONGTING)).one()
    assert tuple(stored) == (Decimal("120000000.00"), "suspended", 2, 24)
    assert rollback_batch(seeded_engine, admin, result.batch_id) == (7,)
    with seeded_engine.connect() as connection:
        restored = connection.execute(select(Project.name_zh, Project.budget, Project.status, Project.description)
                                      .where(Project.code == LONGTING)).one()
    assert tuple(restored) == ("龙亭区食品加工园建设项目", Decimal("100530000.00"), "active", None)
    assert changed_tables(before, table_checksums(seeded_engine)) == [
        "audit_chain_head", "audit_log", "data_version", "import_batches", "import_changes", "projects"]


def test_a_file_whose_every_row_is_refused_plans_without_writing_or_crashing(seeded_engine):
    rows = pd.DataFrame({"project_code": ["P000000-99999", LONGTING], "indicator_code": ["PROG_ACTUAL", "NO_SUCH"],
                         "period": [dt.date(2026, 12, 1)] * 2, "value": [50.0, 1.0]}, index=[2, 3])  # str columns
    plan = plan_import(seeded_engine, as_viewer(seeded_engine, "admin"), "observations", rows, sheet="s")
    assert [(p.row, p.column) for p in plan.problems] == [(2, "project_code"), (3, "indicator_code")]
    assert dict(plan.counts) == {"new": 0, "changed": 0, "unchanged": 0}
    assert plan.rows["change"].tolist() == [None, None]


def test_rows_written_by_someone_else_during_the_commit_refuse_it_as_a_conflict(seeded_engine, monkeypatch):
    from data_access.imports import commit as commit_module
    planned_for_real = commit_module.plan_in

    def plan_then_someone_writes(session, actor, kind, rows, sheet):
        planned = planned_for_real(session, actor, kind, rows, sheet)
        session.add(Observation(project_id=7, indicator_id=planned.resolved["indicator_id"].iloc[0],
                                period=dt.date(2026, 12, 1), value=1.0, source="manual",
                                entered_at=dt.datetime.now(dt.UTC)))
        return planned

    monkeypatch.setattr(commit_module, "plan_in", plan_then_someone_writes)
    before = table_checksums(seeded_engine)
    with pytest.raises(VersionConflict) as caught:
        commit_import(seeded_engine, as_viewer(seeded_engine, "admin"), "observations",
                      _observations([(LONGTING, "PROG_ACTUAL", "2026-12", 50.0)]), sheet="s", filename="a.csv",
                      sha256=SHA)
    assert caught.value.message_zh == "导入期间有人修改了相同的数据，未导入任何数据，请重新检查后再导入"
    assert table_checksums(seeded_engine) == before


@pytest.mark.parametrize(("filename", "sha256", "source", "message"), [
    ("a.csv", "A" * 64, "upload", "文件校验值无效"),
    ("a.csv", "a" * 63, "upload", "文件校验值无效"),
    ("   ", SHA, "upload", "文件名为空"),
    ("a.csv", SHA, "email", "未知的数据来源"),
])
def test_a_batch_needs_a_name_a_sha256_and_a_known_source(seeded_engine, filename, sha256, source, message):
    with pytest.raises(ValidationError) as caught:
        commit_import(seeded_engine, as_viewer(seeded_engine, "admin"), "observations",
                      _observations([(LONGTING, "PROG_ACTUAL", "2026-12", 50.0)]), sheet="s", filename=filename,
                      sha256=sha256, source=source)
    assert caught.value.message_zh == message


def test_a_long_file_name_is_kept_by_its_last_255_characters(seeded_engine):
    name = "项" * 300 + ".xlsx"
    result = commit_import(seeded_engine, as_viewer(seeded_engine, "admin"), "observations",
                           _observations([(LONGTING, "PROG_ACTUAL", "2026-12", 50.0)]), sheet="s", filename=name,
                           sha256=SHA)
    with seeded_engine.connect() as connection:
        stored = connection.execute(select(ImportBatch.filename).where(ImportBatch.id == result.batch_id)).scalar()
    assert stored == name[-255:] and stored.endswith(".xlsx")
