"""The monthly report: the form's rows, plausibility, drafts, submission, review, conflicts and corrections.

Each test crafts one project's history (龙亭区, managed by pm_kaifeng1) so the numbers are hand-computed:
SPEND_CUM rose 8,000 → 8,200 → 8,400 → 8,629 (usual move 200), QUALITY_PASS 90 → 91 → 90 → 92 (usual move 1),
PROG_ACTUAL 10 → 15 → 20 → 24 (usual move 5) with a plan of 40 % for the reported month.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from data_access import reports
from data_access.audit import verify_chain
from data_access.errors import NeedsReason, NotFound, PermissionDenied, ReportConflict, ValidationError
from data_access.models import (
    AuditEntry,
    Indicator,
    Milestone,
    Notification,
    Observation,
    Project,
    Region,
    Report,
    ReportValue,
    User,
)
from data_access.reports import MilestoneEntry
from scoring.periods import add_months
from tests.conftest import as_viewer
from tests.db_checksum import changed_tables, table_checksums

PERIOD = dt.date(2026, 10, 1)
HISTORY = {
    "SPEND_CUM": [8000.0, 8200.0, 8400.0, 8629.0],
    "QUALITY_PASS": [90.0, 91.0, 90.0, 92.0],
    "PROG_ACTUAL": [10.0, 15.0, 20.0, 24.0],
}
MONTHS = [dt.date(2026, m, 1) for m in (6, 7, 8, 9)]


def _craft(engine, *, status: str = "active", review: bool = False) -> int:
    """pm_kaifeng1's first project in 龙亭区 with the history above and nothing else observed."""
    with engine.begin() as connection:
        manager = connection.execute(select(User.id).where(User.username == "pm_kaifeng1")).scalar_one()
        district = connection.execute(select(Region.id).where(Region.code == "410202")).scalar_one()
        project_id = connection.execute(
            select(Project.id).where(Project.region_id == district, Project.manager_id == manager)
            .order_by(Project.id)).scalars().first()
        if project_id is None:
            project_id = connection.execute(select(Project.id).where(Project.region_id == district)
                                            .order_by(Project.id)).scalars().first()
            connection.execute(update(Project).where(Project.id == project_id).values(manager_id=manager))
        connection.execute(update(Project).where(Project.id == project_id).values(status=status))
        connection.execute(update(Region).where(Region.id == district).values(report_review=review))
        connection.execute(delete(Observation).where(Observation.project_id == project_id))
        connection.execute(delete(Report).where(Report.project_id == project_id))  # the demo's reports
        ids = dict(connection.execute(select(Indicator.code, Indicator.id)).all())
        now = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
        rows = [{"project_id": project_id, "indicator_id": ids[code], "period": month, "value": value,
                 "source": "manual", "entered_at": now}
                for code, values in HISTORY.items() for month, value in zip(MONTHS, values, strict=True)]
        rows.append({"project_id": project_id, "indicator_id": ids["PROG_PLAN"], "period": PERIOD, "value": 40.0,
                     "source": "manual", "entered_at": now})
        connection.execute(insert(Observation), rows)
    return project_id


def _observations(engine, project_id: int, period: dt.date = PERIOD) -> dict[str, tuple[float, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(Indicator.code, Observation.value, Observation.source, Observation.entered_by)
            .join(Indicator, Indicator.id == Observation.indicator_id)
            .where(Observation.project_id == project_id, Observation.period == period,
                   Indicator.code != "PROG_PLAN")).all()
    return {row.code: (row.value, row.source, row.entered_by) for row in rows}


def _actions(engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


def _save(engine, viewer, project_id, values, *, submit=False, reasons=None, seen=None, **extra):
    seen = seen or reports.open_report(engine, viewer, project_id=project_id, period=PERIOD)
    return reports.save_report(engine, viewer, project_id=project_id, period=PERIOD, values=values,
                               milestones=extra.pop("milestones", {}), note=extra.pop("note", None),
                               reasons=reasons or {}, seen=seen, submit=submit, **extra)


def test_the_form_lists_the_categorys_kpis_without_plans_with_unit_plan_and_last_value(seeded_engine):
    project_id = _craft(seeded_engine)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    sheet = reports.open_report(seeded_engine, manager, project_id=project_id, period=PERIOD)
    assert (sheet.report_id, sheet.status, sheet.version, sheet.review_required) == (None, None, 0, False)
    kpis = sheet.kpis.set_index("code")
    assert "PROG_PLAN" not in kpis.index and "SPEND_PLAN" not in kpis.index
    with seeded_engine.connect() as connection:
        category = connection.execute(select(Project.category_id).where(Project.id == project_id)).scalar_one()
        expected = set(connection.execute(select(Indicator.code).where(
            Indicator.level == 3, Indicator.retired_at.is_(None),
            (Indicator.category_id.is_(None)) | (Indicator.category_id == category))).scalars())
    assert set(kpis.index) == expected - {"PROG_PLAN", "SPEND_PLAN"}
    spend = kpis.loc["SPEND_CUM"]
    assert (spend["unit_zh"], spend["last_value"], spend["last_period"], spend["typical_move"]) == (
        "万元", 8629.0, dt.date(2026, 9, 1), 200.0)
    assert bool(spend["cumulative"]) and not bool(kpis.loc["QUALITY_PASS", "cumulative"])
    assert (kpis.loc["PROG_ACTUAL", "plan"], kpis.loc["PROG_ACTUAL", "plan_kind"]) == (40.0, "plan")
    assert (kpis.loc["PROG_ACTUAL", "low"], kpis.loc["PROG_ACTUAL", "high"]) == (0.0, 100.0)
    assert kpis.loc["QUALITY_PASS", "typical_move"] == 1.0


def test_a_falling_cumulative_is_refused_naming_the_kpi_and_both_values_and_nothing_is_written(seeded_engine):
    project_id = _craft(seeded_engine)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    seen = reports.open_report(seeded_engine, manager, project_id=project_id, period=PERIOD)
    before = table_checksums(seeded_engine)
    with pytest.raises(ValidationError) as caught:
        _save(seeded_engine, manager, project_id, {"SPEND_CUM": 1250.0, "QUALITY_PASS": 91.0}, seen=seen)
    assert str(caught.value) == ("Cumulative spend cannot fall: 1,250 10k CNY is below the 8,629 10k CNY stored "
                                 "for 2026-09")
    assert caught.value.message_zh == "累计完成投资为累计值，不能减少：1,250 万元 低于 2026-09 已有的 8,629 万元"
    assert changed_tables(before, table_checksums(seeded_engine)) == []


def test_a_ten_fold_jump_asks_for_a_reason_then_saves_with_it(seeded_engine):
    project_id = _craft(seeded_engine)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    seen = reports.open_report(seeded_engine, manager, project_id=project_id, period=PERIOD)
    with pytest.raises(NeedsReason) as caught:
        _save(seeded_engine, manager, project_id, {"QUALITY_PASS": 80.0, "SPEND_CUM": 8800.0}, seen=seen)
    assert caught.value.codes == {"QUALITY_PASS": (
        "Quality pass rate moves from 92 to 80 %, 12.0 times its usual monthly move (1)",
        "工程质量合格率由 92 变为 80 %，是通常月度变化（1）的 12.0 倍")}
    assert _actions(seeded_engine) == []
    saved = _save(seeded_engine, manager, project_id, {"QUALITY_PASS": 80.0, "SPEND_CUM": 8800.0}, seen=seen,
                  reasons={"QUALITY_PASS": "  返工批次计入 "})
    assert (saved.status, saved.version, saved.values, saved.accepted) == (
        "draft", 1, {"QUALITY_PASS": 80.0, "SPEND_CUM": 8800.0}, False)
    with seeded_engine.connect() as connection:
        stored = dict(connection.execute(select(Indicator.code, ReportValue.reason).join(
            Indicator, Indicator.id == ReportValue.indicator_id).where(ReportValue.report_id == saved.report_id)).all())
    assert stored == {"QUALITY_PASS": "返工批次计入", "SPEND_CUM": None}
    assert _observations(seeded_engine, project_id) == {}  # a draft is not data yet
    sheet = reports.open_report(seeded_engine, manager, project_id=project_id, period=PERIOD)
    # Saving the same value again does not ask twice: the reason stays with it.
    again = _save(seeded_engine, manager, project_id, {"QUALITY_PASS": 80.0}, seen=sheet)
    assert again.values == {"QUALITY_PASS": 80.0} and again.version == 2


def test_every_value_needing_a_reason_is_listed_at_once_far_from_plan_included(seeded_engine):
    project_id = _craft(seeded_engine)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    with pytest.raises(NeedsReason) as caught:
        _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 64.0, "QUALITY_PASS": 80.0})
    assert caught.value.codes["PROG_ACTUAL"] == ("Actual progress 64 % is 60% away from this month's plan 40 %",
                                                 "实际形象进度 64 % 偏离本月计划 40 % 60%")
    assert set(caught.value.codes) == {"PROG_ACTUAL", "QUALITY_PASS"}
    assert "请填写原因后确认" in caught.value.message_zh


def test_progress_above_100_and_text_are_refused_and_empty_values_are_not_stored(seeded_engine):
    project_id = _craft(seeded_engine)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    with pytest.raises(ValidationError) as caught:
        _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 130.0})
    assert caught.value.message_zh == "实际形象进度须在 0 到 100 之间（填写的是 130）"
    with pytest.raises(ValidationError) as caught:
        _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": "25"})
    assert caught.value.message_zh == "实际形象进度：不是有效数字"
    with pytest.raises(ValidationError) as caught:
        _save(seeded_engine, manager, project_id, {"PROG_PLAN": 50.0})
    assert caught.value.message_zh == "PROG_PLAN 不是本项目月报的指标"
    saved = _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0, "QUALITY_PASS": None})
    assert saved.values == {"PROG_ACTUAL": 26.0}
    sheet = reports.open_report(seeded_engine, manager, project_id=project_id, period=PERIOD)
    entered = sheet.kpis[sheet.kpis["entered"].notna()]
    assert dict(zip(entered["code"], entered["entered"], strict=True)) == {"PROG_ACTUAL": 26.0}


def test_draft_submit_send_back_resubmit_accept_writes_the_observations_exactly_once(seeded_engine):
    project_id = _craft(seeded_engine, review=True)
    manager, official = as_viewer(seeded_engine, "pm_kaifeng1"), as_viewer(seeded_engine, "official_longting")
    with Session(seeded_engine) as session:
        milestone = session.execute(select(Milestone).where(Milestone.project_id == project_id,
                                                            Milestone.actual_end.is_(None))
                                    .order_by(Milestone.seq)).scalars().first()
    draft = _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0}, note="雨季")
    assert (draft.status, draft.version) == ("draft", 1)
    submitted = _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 27.0, "SPEND_CUM": 8800.0}, submit=True,
                      milestones={milestone.id: MilestoneEntry(60.0, dt.date(2026, 9, 3), None)})
    assert (submitted.status, submitted.version, submitted.accepted) == ("submitted", 2, False)
    assert _observations(seeded_engine, project_id) == {}
    waiting = reports.list_reports(seeded_engine, official, statuses=["submitted"])
    assert waiting[waiting["project_id"] == project_id]["report_id"].tolist() == [submitted.report_id]

    with pytest.raises(ValidationError) as caught:
        reports.review_report(seeded_engine, official, report_id=submitted.report_id, version=2, accept=False,
                              comment="  ")
    assert caught.value.message_zh == "退回月报须填写审核意见"
    reports.review_report(seeded_engine, official, report_id=submitted.report_id, version=2, accept=False,
                          comment="投资额与监理报告不符")
    returned = reports.open_report(seeded_engine, manager, project_id=project_id, period=PERIOD)
    assert (returned.status, returned.version, returned.review_comment) == ("returned", 3, "投资额与监理报告不符")
    with seeded_engine.connect() as connection:
        told = connection.execute(select(Notification.user_id, Notification.topic, Notification.body_zh)).all()
    assert [(user_id, topic) for user_id, topic, _ in told] == [
        (manager.user_id, f"report.returned/{submitted.report_id}/3")]
    assert told[0].body_zh.endswith("请修改后重新提交。审核意见：投资额与监理报告不符")

    resubmitted = _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 27.0, "SPEND_CUM": 8750.0},
                        submit=True, seen=returned,
                        milestones={milestone.id: MilestoneEntry(60.0, dt.date(2026, 9, 3), None)})
    assert (resubmitted.status, resubmitted.version) == ("submitted", 4)
    reports.review_report(seeded_engine, official, report_id=submitted.report_id, version=4, accept=True,
                          comment=None)
    manager_id = manager.user_id
    assert _observations(seeded_engine, project_id) == {"PROG_ACTUAL": (27.0, "report", manager_id),
                                                        "SPEND_CUM": (8750.0, "report", manager_id)}
    accepted = reports.open_report(seeded_engine, manager, project_id=project_id, period=PERIOD)
    assert (accepted.status, accepted.version, accepted.corrections) == ("accepted", 5, 0)
    with seeded_engine.connect() as connection:
        stored = connection.execute(select(Milestone.percent_complete, Milestone.actual_start, Milestone.version)
                                    .where(Milestone.id == milestone.id)).one()
    assert tuple(stored) == (60.0, dt.date(2026, 9, 3), milestone.version + 1)
    assert _actions(seeded_engine) == ["report.save", "report.submit", "report.review", "report.submit",
                                       "report.review", "observation.record", "observation.record",
                                       "milestone.update", "report.accept"]
    assert verify_chain(seeded_engine).ok


def test_without_review_a_submitted_report_is_accepted_at_once(seeded_engine):
    project_id = _craft(seeded_engine, review=False)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    saved = _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0}, submit=True)
    assert (saved.status, saved.accepted, saved.version) == ("accepted", True, 2)
    assert _observations(seeded_engine, project_id) == {"PROG_ACTUAL": (26.0, "report", manager.user_id)}


def test_a_manager_cannot_review_and_an_official_of_another_district_cannot_see_or_review(seeded_engine):
    project_id = _craft(seeded_engine, review=True)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    saved = _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0}, submit=True)
    with pytest.raises(PermissionDenied):
        reports.review_report(seeded_engine, manager, report_id=saved.report_id, version=saved.version,
                              accept=True, comment=None)
    gulou = as_viewer(seeded_engine, "official_gulou")
    with pytest.raises(PermissionDenied) as caught:
        reports.review_report(seeded_engine, gulou, report_id=saved.report_id, version=saved.version, accept=True,
                              comment=None)
    assert caught.value.message_zh == "月报不存在或您无权访问"
    with pytest.raises(PermissionDenied):
        reports.open_report(seeded_engine, gulou, project_id=project_id, period=PERIOD)
    assert project_id not in reports.list_reports(seeded_engine, gulou)["project_id"].tolist()
    with pytest.raises(NotFound):
        reports.review_report(seeded_engine, gulou, report_id=saved.report_id + 1000, version=1, accept=True,
                              comment=None)
    assert reports.open_report(seeded_engine, manager, project_id=project_id, period=PERIOD).status == "submitted"


def test_the_submitter_cannot_accept_their_own_report(seeded_engine):
    project_id = _craft(seeded_engine, review=True)
    official = as_viewer(seeded_engine, "official_longting")
    saved = _save(seeded_engine, official, project_id, {"PROG_ACTUAL": 26.0}, submit=True)
    sheet = reports.open_report(seeded_engine, official, project_id=project_id, period=PERIOD)
    admin = as_viewer(seeded_engine, "admin")
    assert (reports.may_review(official, sheet), reports.may_review(admin, sheet)) == (False, True)
    assert not reports.may_review(as_viewer(seeded_engine, "pm_kaifeng1"), sheet)
    with pytest.raises(PermissionDenied) as caught:
        reports.review_report(seeded_engine, official, report_id=saved.report_id, version=saved.version,
                              accept=True, comment=None)
    assert caught.value.message_zh == "您是该月报的提交人，须由其他人审核"
    reports.review_report(seeded_engine, admin, report_id=saved.report_id, version=saved.version, accept=True,
                          comment="核对无误")
    assert _observations(seeded_engine, project_id) == {"PROG_ACTUAL": (26.0, "report", official.user_id)}


def test_two_sessions_conflict_and_the_second_gets_the_firsts_values(seeded_engine):
    project_id = _craft(seeded_engine)
    manager, official = as_viewer(seeded_engine, "pm_kaifeng1"), as_viewer(seeded_engine, "official_longting")
    mine = reports.open_report(seeded_engine, manager, project_id=project_id, period=PERIOD)
    theirs = reports.open_report(seeded_engine, official, project_id=project_id, period=PERIOD)
    _save(seeded_engine, official, project_id, {"PROG_ACTUAL": 26.0}, seen=theirs)
    before = table_checksums(seeded_engine)
    with pytest.raises(ReportConflict) as caught:
        _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 28.0}, seen=mine)
    assert changed_tables(before, table_checksums(seeded_engine)) == []
    now = caught.value.theirs
    assert (now.status, now.version) == ("draft", 1)
    assert now.kpis.set_index("code").at["PROG_ACTUAL", "entered"] == 26.0
    saved = _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 28.0}, seen=now)  # chosen, saved again
    assert (saved.values, saved.version) == ({"PROG_ACTUAL": 28.0}, 2)


def test_a_value_stored_meanwhile_by_another_way_is_a_conflict_too(seeded_engine):
    project_id = _craft(seeded_engine)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    seen = reports.open_report(seeded_engine, manager, project_id=project_id, period=PERIOD)
    from data_access.writes import record_report
    record_report(seeded_engine, as_viewer(seeded_engine, "analyst"), project_id=project_id, period=PERIOD,
                  values={"QUALITY_PASS": 93.0})
    with pytest.raises(ReportConflict) as caught:
        _save(seeded_engine, manager, project_id, {"QUALITY_PASS": 92.5}, seen=seen)
    assert caught.value.theirs.kpis.set_index("code").at["QUALITY_PASS", "stored"] == 93.0


def test_a_correction_needs_a_reason_and_is_counted_with_the_observations_replaced(seeded_engine):
    project_id = _craft(seeded_engine)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    first = _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0, "SPEND_CUM": 8800.0}, submit=True)
    assert first.accepted
    with pytest.raises(ValidationError) as caught:
        _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 25.0, "SPEND_CUM": 8800.0}, submit=True)
    assert caught.value.message_zh == "2026-10 的月报已通过，更正须填写原因"
    corrected = _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 25.0, "SPEND_CUM": 8800.0}, submit=True,
                      correction_reason="监理复核后下调")
    assert (corrected.status, corrected.accepted) == ("accepted", True)
    assert _observations(seeded_engine, project_id)["PROG_ACTUAL"][0] == 25.0
    listed = reports.list_reports(seeded_engine, manager, period=PERIOD)
    row = listed[listed["project_id"] == project_id].iloc[0]
    assert (row["corrections"], row["correction_reason"], row["status"]) == (1, "监理复核后下调", "accepted")
    with seeded_engine.connect() as connection:
        replaced = connection.execute(select(AuditEntry.before, AuditEntry.after).where(
            AuditEntry.action == "observation.record", AuditEntry.entity_id == f"{project_id}/PROG_ACTUAL/2026-10")
            .order_by(AuditEntry.id)).all()
    assert [tuple(r) for r in replaced] == [(None, '{"source":"report","value":26.0}'),
                                           ('{"source":"report","value":26.0}', '{"source":"report","value":25.0}')]


def test_a_planned_project_and_a_future_month_are_refused(seeded_engine):
    project_id = _craft(seeded_engine, status="planned")
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    with pytest.raises(ValidationError) as caught:
        _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0})
    assert "只有在建或暂停的项目" in caught.value.message_zh
    with pytest.raises(ValidationError) as caught:
        reports.open_report(seeded_engine, manager, project_id=project_id,
                            period=add_months(dt.date.today(), 1))
    assert "尚未开始" in caught.value.message_zh


def test_review_is_set_per_district_by_its_own_official_and_a_street_follows_its_district(seeded_engine):
    official, admin = as_viewer(seeded_engine, "official_longting"), as_viewer(seeded_engine, "admin")
    with seeded_engine.connect() as connection:
        longting, gulou = (connection.execute(select(Region.id).where(Region.code == code)).scalar_one()
                           for code in ("410202", "410204"))
        street, district = connection.execute(select(Region.id, Region.parent_id).where(Region.level == "street")
                                              .order_by(Region.id)).first()
    reports.set_review(seeded_engine, official, region_id=longting, enabled=False)  # Kaifeng reviews in the demo
    with pytest.raises(NotFound):
        reports.set_review(seeded_engine, official, region_id=gulou, enabled=False)
    with pytest.raises(PermissionDenied):
        reports.set_review(seeded_engine, as_viewer(seeded_engine, "pm_kaifeng1"), region_id=longting, enabled=True)
    with pytest.raises(ValidationError) as caught:
        reports.set_review(seeded_engine, admin, region_id=street, enabled=True)
    assert caught.value.message_zh == "审核按区县设置（街道随所在区县）"
    reports.set_review(seeded_engine, admin, region_id=district, enabled=True)
    with Session(seeded_engine) as session:
        assert (reports.review_required(session, longting), reports.review_required(session, gulou)) == (False, True)
        assert reports.review_required(session, street) is True
    with seeded_engine.connect() as connection:
        changes = connection.execute(select(AuditEntry.entity_id, AuditEntry.before, AuditEntry.after)
                                     .where(AuditEntry.action == "region.report_review")
                                     .order_by(AuditEntry.id)).all()
    assert [tuple(change) for change in changes] == [
        (str(longting), '{"report_review":true}', '{"report_review":false}'),
        (str(district), '{"report_review":false}', '{"report_review":true}')]


def test_the_demo_has_reports_waiting_in_longting_one_sent_back_and_kaifeng_reviews(shared_seeded_engine):
    official = as_viewer(shared_seeded_engine, "official_longting")
    open_ones = reports.list_reports(shared_seeded_engine, official, statuses=["submitted", "returned"])
    assert sorted(open_ones["status"]) == ["returned", "submitted", "submitted"]
    assert set(open_ones["period"]) == {PERIOD}
    returned = open_ones[open_ones["status"] == "returned"].iloc[0]
    assert returned["review_comment"] == "累计完成投资与监理月报不符，请核对后重新提交"
    waiting = open_ones[open_ones["status"] == "submitted"].iloc[0]
    sheet = reports.open_report(shared_seeded_engine, official, project_id=int(waiting["project_id"]), period=PERIOD)
    assert sheet.review_required and sheet.status == "submitted"
    entered = sheet.kpis.dropna(subset=["entered"])
    assert len(entered) > 5 and (entered["entered"] == entered["stored"]).all()
    everyone = reports.list_reports(shared_seeded_engine, as_viewer(shared_seeded_engine, "admin"))
    assert everyone["corrections"].tolist().count(1) == 1


def test_a_failure_while_accepting_leaves_nothing_written_not_even_the_report(seeded_engine, monkeypatch):
    project_id = _craft(seeded_engine, review=False)
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    seen = reports.open_report(seeded_engine, manager, project_id=project_id, period=PERIOD)
    real_store = reports.store_observations

    def store_then_fail(*args, **kwargs):
        real_store(*args, **kwargs)  # the values reach observations, then something goes wrong
        raise ValidationError("disk full", message_zh="磁盘已满")

    monkeypatch.setattr(reports, "store_observations", store_then_fail)
    before = table_checksums(seeded_engine)
    with pytest.raises(ValidationError):
        _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0, "SPEND_CUM": 8800.0}, submit=True, seen=seen)
    assert changed_tables(before, table_checksums(seeded_engine)) == []


def test_a_review_of_a_version_changed_meanwhile_is_a_conflict_with_the_report_as_it_is_now(seeded_engine):
    project_id = _craft(seeded_engine, review=True)
    manager, official = as_viewer(seeded_engine, "pm_kaifeng1"), as_viewer(seeded_engine, "official_longting")
    first = _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 26.0}, submit=True)
    second = _save(seeded_engine, manager, project_id, {"PROG_ACTUAL": 27.0}, submit=True)  # changed while open
    with pytest.raises(ReportConflict) as caught:
        reports.review_report(seeded_engine, official, report_id=first.report_id, version=first.version,
                              accept=True, comment=None)
    theirs = caught.value.theirs
    assert (theirs.version, theirs.kpis.set_index("code").at["PROG_ACTUAL", "entered"]) == (second.version, 27.0)
    assert _observations(seeded_engine, project_id) == {}


@pytest.mark.parametrize("username", ["leader", "auditor", "expert01"])
def test_roles_that_neither_report_nor_review_cannot_open_the_form(seeded_engine, username):
    project_id = _craft(seeded_engine)
    with pytest.raises(PermissionDenied):
        reports.open_report(seeded_engine, as_viewer(seeded_engine, username), project_id=project_id, period=PERIOD)


def test_a_value_already_stored_for_the_month_is_neither_refused_nor_asked_about(seeded_engine):
    """A form shows the month's stored values filled in; sending one back unchanged is not a new claim."""
    project_id = _craft(seeded_engine, review=False)
    with seeded_engine.begin() as connection:  # an import stored a fall and a jump for the month already
        ids = dict(connection.execute(select(Indicator.code, Indicator.id)).all())
        connection.execute(insert(Observation), [
            {"project_id": project_id, "indicator_id": ids[code], "period": PERIOD, "value": value,
             "source": "import", "entered_at": dt.datetime(2026, 10, 5, tzinfo=dt.UTC)}
            for code, value in (("SPEND_CUM", 8500.0), ("QUALITY_PASS", 60.0))])
    manager = as_viewer(seeded_engine, "pm_kaifeng1")
    saved = _save(seeded_engine, manager, project_id, {"SPEND_CUM": 8500.0, "QUALITY_PASS": 60.0,
                                                        "PROG_ACTUAL": 26.0}, submit=True)
    assert saved.accepted
    with pytest.raises(ValidationError):  # a new value still may not fall
        _save(seeded_engine, manager, project_id, {"SPEND_CUM": 8400.0}, correction_reason="复核")
