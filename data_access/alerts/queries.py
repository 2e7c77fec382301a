"""Scoped reads of alerts: lists filtered in SQL, one alert, its history and evidence file."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, Select, or_, select
from sqlalchemy.orm import Session, aliased

from data_access.alerts.statuses import CLOSED
from data_access.errors import ValidationError
from data_access.models import Alert, AlertEvent, AlertRule, Project, Rectification, Region, User
from data_access.scope import Viewer, checked_id, refusal, require_project_in_scope, scoped_projects


def _alerts_statement(viewer: Viewer) -> Select:
    """Alerts of projects in the viewer's scope with rule, project, region and 整改 fields, newest first."""
    owner, manager = aliased(User), aliased(User)
    return (
        scoped_projects(
            viewer, Alert.id, Alert.rule_id, AlertRule.name_zh.label("rule_zh"), AlertRule.name_en.label("rule_en"),
            AlertRule.rule_type, Alert.project_id, Project.code.label("project_code"),
            Project.name_zh.label("project_zh"), Project.name_en.label("project_en"), Project.manager_id,
            manager.display_name.label("manager_name"),
            Region.name_zh.label("region_zh"), Region.name_en.label("region_en"), Region.path.label("region_path"),
            Alert.status, Alert.severity, Alert.value, Alert.threshold, Alert.data_period, Alert.detail,
            Alert.opened_at, Alert.acknowledged_at, Alert.escalated_at, Alert.closed_at, Alert.reopen_count,
            Alert.version, Rectification.owner_id.label("owner_id"), owner.display_name.label("owner_name"),
            owner.username.label("owner_username"), Rectification.plan, Rectification.due_date,
            Rectification.evidence_note, Rectification.resolved_at.label("rectified_at"), Rectification.verified_at)
        .join(Alert, Alert.project_id == Project.id)
        .join(AlertRule, AlertRule.id == Alert.rule_id)
        .outerjoin(Rectification, Rectification.alert_id == Alert.id)
        .outerjoin(owner, owner.id == Rectification.owner_id)
        .outerjoin(manager, manager.id == Project.manager_id)
        .order_by(Alert.opened_at.desc(), Alert.id.desc())
    )


def _alerts_frame(engine: Engine, statement: Select) -> pd.DataFrame:
    with engine.connect() as connection:
        result = connection.execute(statement)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    parts = frame["region_path"].str.strip("/").str.split("/")
    frame["district_id"] = parts.str[1].astype("Int64") if len(frame) else pd.Series(dtype="Int64")
    return frame


def _utc(moment: object, name: str) -> dt.datetime:
    """An aware datetime in UTC (stored times are UTC; SQLite compares them as text)."""
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        raise ValidationError(f"{name} must be a date and time with a time zone",
                              message_zh="时间须为带时区的日期时间")
    return moment.astimezone(dt.UTC)


def list_alerts(
    engine: Engine,
    viewer: Viewer,
    *,
    statuses: Sequence[str] | None = None,
    severities: Sequence[str] | None = None,
    rule_ids: Sequence[int] | None = None,
    region_id: int | None = None,
    project_id: int | None = None,
    closed_since: dt.datetime | None = None,
    opened_before: dt.datetime | None = None,
) -> pd.DataFrame:
    """Alerts of projects in the viewer's scope, newest first, with rule, project, region and 整改 fields.

    Every filter is part of the SQL ``WHERE``. ``closed_since`` keeps closed alerts only when they were closed
    at or after that moment; alerts that are not closed are kept whatever their age. ``opened_before`` keeps
    alerts opened at or before that moment (at least N days old: ``now - N days``). Both are aware datetimes.
    """
    statement = _alerts_statement(viewer)
    if statuses:
        statement = statement.where(Alert.status.in_(list(statuses)))
    if severities:
        statement = statement.where(Alert.severity.in_(list(severities)))
    if rule_ids:
        statement = statement.where(Alert.rule_id.in_(list(rule_ids)))
    if region_id is not None:
        statement = statement.where(Region.path.startswith(
            select(Region.path).where(Region.id == checked_id(region_id, "region")).scalar_subquery()))
    if project_id is not None:
        statement = statement.where(Project.id == checked_id(project_id, "project"))
    if closed_since is not None:
        statement = statement.where(or_(Alert.status != CLOSED,
                                        Alert.closed_at >= _utc(closed_since, "closed_since")))
    if opened_before is not None:
        statement = statement.where(Alert.opened_at <= _utc(opened_before, "opened_before"))
    return _alerts_frame(engine, statement)


def scoped_alert(session: Session, viewer: Viewer, alert_id: int, *, audit_refusal: bool = True) -> Alert:
    """The alert, or the same refusal for an unknown id and for an alert of a project out of scope."""
    alert = session.get(Alert, checked_id(alert_id, "alert"))
    if alert is None:
        raise refusal("alert")
    require_project_in_scope(session, viewer, alert.project_id, audit_refusal=audit_refusal, kind="alert")
    return alert


def get_alert(engine: Engine, viewer: Viewer, alert_id: int) -> pd.Series:
    """One alert with the fields of a :func:`list_alerts` row (``id`` among them).

    An unknown id is :class:`NotFound`, an alert of a project outside the scope :class:`PermissionDenied`
    (audited), both with the same words (预警不存在或您无权访问).
    """
    with Session(engine) as session:
        alert_id = scoped_alert(session, viewer, alert_id).id
    return _alerts_frame(engine, _alerts_statement(viewer).where(Alert.id == alert_id)).iloc[0]


def alert_history(engine: Engine, viewer: Viewer, alert_id: int) -> pd.DataFrame:
    """Events of one alert, oldest first (PermissionDenied when its project is out of scope)."""
    with Session(engine) as session:
        scoped_alert(session, viewer, alert_id)
    statement = (select(AlertEvent.occurred_at, User.display_name.label("actor"), AlertEvent.from_status,
                        AlertEvent.to_status, AlertEvent.note)
                 .outerjoin(User, User.id == AlertEvent.actor_id)
                 .where(AlertEvent.alert_id == alert_id).order_by(AlertEvent.occurred_at, AlertEvent.id))
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def rectification_attachment(engine: Engine, viewer: Viewer, alert_id: int) -> tuple[str, bytes] | None:
    """The evidence file of an alert's rectification (name, bytes), or None; scoped like the alert."""
    with Session(engine) as session:
        scoped_alert(session, viewer, alert_id)
        task = session.execute(select(Rectification).where(Rectification.alert_id == alert_id)).scalar_one_or_none()
        if task is None or task.attachment is None:
            return None
        return task.attachment_name or "attachment", task.attachment


def live_alert_pairs(engine: Engine) -> pd.DataFrame:
    """(rule_id, project_id, id, status) of every alert that is not closed (for the evaluator)."""
    with engine.connect() as connection:
        result = connection.execute(select(Alert.rule_id, Alert.project_id, Alert.id, Alert.status)
                                    .where(Alert.status != CLOSED))
        return pd.DataFrame(result.fetchall(), columns=["rule_id", "project_id", "id", "status"])
