"""The to-do reads behind 我的待办 (My tasks) and the reporting reminders, each one scoped statement.

A period counts as reported for a project when its monthly report was submitted or accepted, or when values
other than the plan series were recorded for it some other way (an import, an earlier entry): either way
nobody has to fill that month in again. Only active projects report, from the month they started.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pandas as pd
from sqlalchemy import Engine, Select, exists, func, or_, select, union
from sqlalchemy.orm import aliased

from data_access import audit
from data_access.db import transaction
from data_access.models import (
    Alert,
    AlertRule,
    Indicator,
    Milestone,
    Notification,
    Observation,
    Project,
    Rating,
    RatingAssignment,
    RatingRound,
    Rectification,
    Region,
    Report,
    User,
)
from data_access.policy import Action, Viewer, require
from data_access.scope import as_id, scoped_projects
from data_access.writes import PLAN_SERIES
from scoring.periods import add_months, month_index

REPORTED_STATUSES = ("submitted", "accepted")  # a draft or a returned report still has to be (re)submitted
REPORTING_STATUS = "active"  # planned, suspended and completed projects have nothing to report
MAX_TOPIC = 80  # Notification.topic
# Notification kinds of reminders (e-mailed at once, services.notify); the topic is "<kind>/<what>"
REPORT_DUE = "report.due"  # the scheduler's, before a report's deadline
REPORT_REMIND = "report.remind"  # an official's 提醒填报
RATING_DUE = "rating.due"  # the scheduler's, before a rating round's deadline
REMINDER_KINDS = (REPORT_DUE, REPORT_REMIND, RATING_DUE)


def _frame(engine: Engine, statement: Select) -> pd.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _month_end(period: dt.date) -> dt.date:
    return add_months(period, 1) - dt.timedelta(days=1)


def _reporting_projects(viewer: Viewer, *, managed_by_viewer: bool, until: dt.date) -> Select:
    """Active projects in scope that had started by the end of ``until``'s month, with manager and region."""
    manager = aliased(User)
    statement = (
        scoped_projects(viewer, Project.id.label("project_id"), Project.code, Project.name_zh, Project.name_en,
                        Region.name_zh.label("region_zh"), Region.name_en.label("region_en"), Project.manager_id,
                        manager.display_name.label("manager_name"),
                        func.coalesce(Project.actual_start, Project.planned_start).label("started"))
        .outerjoin(manager, manager.id == Project.manager_id)
        .where(Project.status == REPORTING_STATUS,
               func.coalesce(Project.actual_start, Project.planned_start) <= _month_end(until))
        .order_by(Project.code)
    )
    return statement.where(Project.manager_id == viewer.user_id) if managed_by_viewer else statement


def _reported_pairs(viewer: Viewer, since: dt.date, until: dt.date) -> Select:
    """(project_id, period) for every month in ``since`` … ``until`` a project in scope counts as reported."""
    in_scope = scoped_projects(viewer, Project.id).where(Project.status == REPORTING_STATUS)
    by_report = select(Report.project_id, Report.period).where(
        Report.status.in_(REPORTED_STATUSES), Report.period >= since, Report.period <= until,
        Report.project_id.in_(in_scope))
    # Values count unless the month's report is a draft or was sent back: then that report is what is owed.
    owed_report = select(Report.id).where(Report.project_id == Observation.project_id,
                                          Report.period == Observation.period,
                                          Report.status.not_in(REPORTED_STATUSES)).exists()
    by_values = (select(Observation.project_id, Observation.period)
                 .join(Indicator, Indicator.id == Observation.indicator_id)
                 .where(Indicator.code.not_in(sorted(PLAN_SERIES)), Observation.period >= since,
                        Observation.period <= until, Observation.project_id.in_(in_scope), ~owed_report))
    return union(by_report, by_values)


def _unreported(engine: Engine, viewer: Viewer, *, managed_by_viewer: bool, since: dt.date,
                until: dt.date) -> pd.DataFrame:
    """One row per project and month in ``since`` … ``until`` with nothing reported, oldest month first."""
    with engine.connect() as connection:
        result = connection.execute(_reporting_projects(viewer, managed_by_viewer=managed_by_viewer, until=until))
        projects = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        reported = {(int(row.project_id), pd.Timestamp(row.period).date())
                    for row in connection.execute(_reported_pairs(viewer, since, until))}
    months = [add_months(since, k) for k in range(month_index(until) - month_index(since) + 1)]
    rows = [{**project, "period": month}
            for project in projects.to_dict("records") for month in months
            if _month_end(month) >= pd.Timestamp(project["started"]).date()
            and (int(project["project_id"]), month) not in reported]
    columns = [*projects.columns.drop("started"), "period"]
    frame = pd.DataFrame(rows, columns=[*projects.columns, "period"])[columns]
    return frame.sort_values(["period", "code"], kind="stable").reset_index(drop=True)


def missing_reports(engine: Engine, viewer: Viewer, *, period: dt.date) -> pd.DataFrame:
    """Active projects in the viewer's scope with nothing reported for ``period`` (a district's 未报).

    Columns: project_id, code, name_zh, name_en, region_zh, region_en, manager_id, manager_name, period.
    """
    return _unreported(engine, viewer, managed_by_viewer=False, since=period, until=period)


def reports_due(engine: Engine, viewer: Viewer, *, period: dt.date, overdue_months: int) -> pd.DataFrame:
    """The viewer's own projects' unreported months: ``period`` and up to ``overdue_months`` before it.

    Same columns as :func:`missing_reports`; a month before ``period`` is overdue.
    """
    return _unreported(engine, viewer, managed_by_viewer=True, since=add_months(period, -overdue_months),
                       until=period)


def my_rectifications(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Rectifications (整改) the viewer owns that are still being worked on, the earliest due first.

    Columns: alert_id, project_id, code, name_zh, name_en, rule_zh, rule_en, severity, due_date.
    """
    statement = (
        scoped_projects(viewer, Alert.id.label("alert_id"), Project.id.label("project_id"), Project.code,
                        Project.name_zh, Project.name_en, AlertRule.name_zh.label("rule_zh"),
                        AlertRule.name_en.label("rule_en"), Alert.severity, Rectification.due_date)
        .join(Alert, Alert.project_id == Project.id)
        .join(AlertRule, AlertRule.id == Alert.rule_id)
        .join(Rectification, Rectification.alert_id == Alert.id)
        .where(Rectification.owner_id == viewer.user_id, Alert.status == "rectifying")
        .order_by(Rectification.due_date, Alert.id)
    )
    return _frame(engine, statement)


def milestones_due(engine: Engine, viewer: Viewer, *, today: dt.date, days: int) -> pd.DataFrame:
    """Unfinished milestones the viewer owns or of projects they manage, planned to end within ``days``.

    Columns: milestone_id, project_id, code, name_zh, name_en (the project's), milestone_zh, milestone_en,
    planned_end, percent_complete; the earliest first.
    """
    statement = (
        scoped_projects(viewer, Milestone.id.label("milestone_id"), Project.id.label("project_id"), Project.code,
                        Project.name_zh, Project.name_en, Milestone.name_zh.label("milestone_zh"),
                        Milestone.name_en.label("milestone_en"), Milestone.planned_end, Milestone.percent_complete)
        .join(Milestone, Milestone.project_id == Project.id)
        .where(or_(Milestone.owner_id == viewer.user_id, Project.manager_id == viewer.user_id),
               Milestone.actual_end.is_(None), Milestone.planned_end >= today,
               Milestone.planned_end <= today + dt.timedelta(days=days))
        .order_by(Milestone.planned_end, Project.code, Milestone.seq)
    )
    return _frame(engine, statement)


# -- reminders ----------------------------------------------------------------------------------------------
def send_reminders(engine: Engine, actor: Viewer, reminders: Iterable[tuple[int, str, str, tuple[str, str],
                                                                            tuple[str, str]]],
                   *, now: dt.datetime) -> int:
    """Put reminders in inboxes, at most one per user and topic; returns how many were new.

    ``reminders``: (user_id, kind, topic, (subject_zh, subject_en), (body_zh, body_en)). A topic the user was
    already reminded of is skipped, so running a reminder twice tells nobody twice. One transaction, audited.
    """
    wanted = {(user_id, topic): (kind, subjects, bodies) for user_id, kind, topic, subjects, bodies in reminders}
    if not wanted:
        return 0
    with transaction(engine) as session:
        topics = sorted({topic for _, topic in wanted})
        known = {(user_id, topic) for user_id, topic in session.execute(
            select(Notification.user_id, Notification.topic).where(Notification.topic.in_(topics)))}
        active = set(session.execute(select(User.id).where(User.id.in_(sorted({u for u, _ in wanted})),
                                                           User.is_active.is_(True))).scalars())
        new = [(key, value) for key, value in wanted.items() if key not in known and key[0] in active]
        for (user_id, topic), (kind, (subject_zh, subject_en), (body_zh, body_en)) in new:
            session.add(Notification(user_id=user_id, created_at=now, kind=kind, topic=topic[:MAX_TOPIC],
                                     subject_zh=subject_zh[:200], subject_en=subject_en[:300], body_zh=body_zh,
                                     body_en=body_en, email_attempts=0))
        if new:
            audit.append(session, actor=actor, action="reminder.sent", entity="notification", entity_id=None,
                         after={"topics": sorted({topic for (_, topic), _ in new}), "users": len(new)})
    return len(new)


def remind_reporters(engine: Engine, viewer: Viewer, *, period: dt.date, project_ids: Sequence[int],
                     now: dt.datetime) -> int:
    """Remind the managers of these projects in the viewer's district that ``period``'s report is missing.

    Only projects still missing a report are included (ids outside the scope simply match nothing); each
    manager gets one message per period listing their projects, however often this is asked. Returns how
    many managers were newly reminded.
    """
    require(viewer, Action.REVIEW_REPORTS)
    ids = {as_id(value) for value in project_ids} - {None}
    missing = missing_reports(engine, viewer, period=period)
    missing = missing[missing["project_id"].isin(ids) & missing["manager_id"].notna()]
    return send_reminders(engine, viewer, report_reminders(missing, period, kind=REPORT_REMIND), now=now)


def report_reminders(missing: pd.DataFrame, period: dt.date, *, kind: str,
                     due: dt.date | None = None) -> list[tuple[int, str, str, tuple[str, str], tuple[str, str]]]:
    """One reminder per manager listing their projects in ``missing`` (a :func:`missing_reports` frame)."""
    month = f"{period:%Y-%m}"
    due_zh = f"，截止日期 {due:%Y-%m-%d}" if due else ""
    due_en = f", due on {due:%Y-%m-%d}" if due else ""
    reminders = []
    for manager_id, projects in missing.groupby("manager_id"):
        lines_zh = "\n".join(f"- {row.code} {row.name_zh}" for row in projects.itertuples())
        lines_en = "\n".join(f"- {row.code} {row.name_en}" for row in projects.itertuples())
        reminders.append((int(manager_id), kind, f"{kind}/{month}",
                          (f"请填报 {month} 月报（{len(projects)} 个项目）",
                           f"Please file the {month} monthly report ({len(projects)} projects)"),
                          (f"以下项目尚未提交 {month} 月报{due_zh}：\n{lines_zh}",
                           f"These projects have not filed their {month} report yet{due_en}:\n{lines_en}")))
    return reminders


def ratings_owed(engine: Engine, actor: Viewer, *, now: dt.datetime, within: dt.timedelta) -> pd.DataFrame:
    """Assignments not rated yet in open rounds whose deadline falls after ``now`` and within ``within`` of it.

    Everyone's, for the scheduler's reminders (the system actor only). Columns: round_id, round_name_zh,
    round_name_en, deadline, rater_id, project_id, code, name_zh, name_en.
    """
    require(actor, Action.SEND_NOTIFICATIONS)
    rated = exists().where(Rating.round_id == RatingAssignment.round_id,
                           Rating.project_id == RatingAssignment.project_id,
                           Rating.rater_id == RatingAssignment.rater_id)
    statement = (select(RatingRound.id.label("round_id"), RatingRound.name_zh.label("round_name_zh"),
                        RatingRound.name_en.label("round_name_en"), RatingRound.deadline, RatingAssignment.rater_id,
                        Project.id.label("project_id"), Project.code, Project.name_zh, Project.name_en)
                 .join(RatingAssignment, RatingAssignment.round_id == RatingRound.id)
                 .join(Project, Project.id == RatingAssignment.project_id)
                 .where(RatingRound.status == "open", RatingRound.deadline > now,
                        RatingRound.deadline <= now + within, ~rated)
                 .order_by(RatingRound.id, RatingAssignment.rater_id, Project.code))
    return _frame(engine, statement)


def rating_reminders(owed: pd.DataFrame, deadlines: dict[int, tuple[str, str]]
                     ) -> list[tuple[int, str, str, tuple[str, str], tuple[str, str]]]:
    """One reminder per rater and round listing the projects they still owe (a :func:`ratings_owed` frame).

    ``deadlines``: round id → the deadline in words (English, Chinese).
    """
    reminders = []
    for (round_id, rater_id), projects in owed.groupby(["round_id", "rater_id"]):
        first = projects.iloc[0]
        english, chinese = deadlines[int(round_id)]
        lines_zh = "\n".join(f"- {row.code} {row.name_zh}" for row in projects.itertuples())
        lines_en = "\n".join(f"- {row.code} {row.name_en}" for row in projects.itertuples())
        reminders.append((int(rater_id), RATING_DUE, f"{RATING_DUE}/{int(round_id)}",
                          (f"请在 {chinese} 前完成评分：{first.round_name_zh}（{len(projects)} 个项目）",
                           f"Please rate by {english}: {first.round_name_en} ({len(projects)} projects)"),
                          (f"您在评分“{first.round_name_zh}”中尚未给以下项目打分，截止 {chinese}：\n{lines_zh}",
                           f"You have not yet rated these projects in \"{first.round_name_en}\", due {english}:\n"
                           f"{lines_en}")))
    return reminders


def open_round_progress(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Open rating rounds with a project in the viewer's scope and how many assigned ratings came in, counted
    over those projects; the nearest deadline first (for the people who run rounds).

    Two grouped counts rather than a per-assignment lookup, so it stays fast on a city's worth of raters.
    Columns: id, name_zh, name_en, deadline, assigned, responded.
    """
    require(viewer, Action.MANAGE_RATING_ROUNDS)
    in_scope = scoped_projects(viewer, Project.id, include_archived=True)
    open_rounds = select(RatingRound.id).where(RatingRound.status == "open")
    assigned = (select(RatingAssignment.round_id, func.count().label("assigned"))
                .where(RatingAssignment.round_id.in_(open_rounds), RatingAssignment.project_id.in_(in_scope))
                .group_by(RatingAssignment.round_id).subquery())
    given = (select(Rating.round_id, Rating.project_id, Rating.rater_id)
             .where(Rating.round_id.in_(open_rounds), Rating.project_id.in_(in_scope)).distinct().subquery())
    responded = (select(given.c.round_id, func.count().label("responded"))
                 .group_by(given.c.round_id).subquery())
    statement = (select(RatingRound.id, RatingRound.name_zh, RatingRound.name_en, RatingRound.deadline,
                        assigned.c.assigned, func.coalesce(responded.c.responded, 0).label("responded"))
                 .join(assigned, assigned.c.round_id == RatingRound.id)
                 .outerjoin(responded, responded.c.round_id == RatingRound.id)
                 .order_by(RatingRound.deadline, RatingRound.id))
    frame = _frame(engine, statement)
    frame["deadline"] = [moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC) for moment in frame["deadline"]]
    return frame
