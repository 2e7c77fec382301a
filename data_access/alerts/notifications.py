"""Notifications about alerts: who is told, the inbox each user reads, and the e-mail bookkeeping."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, literal, null, or_, select, update
from sqlalchemy.orm import Session

from data_access.alerts.messages import WITHHELD, compose
from data_access.db import transaction
from data_access.models import Alert, AlertRule, Notification, Project, Region, User
from data_access.policy import Action, Viewer, require
from data_access.scope import scoped_projects


def supervisors_of(session: Session, project: Project) -> list[int]:
    """Active district officials whose region contains the project; the leaders when there are none."""
    path = session.execute(select(Region.path).where(Region.id == project.region_id)).scalar_one()
    officials = session.execute(
        select(User.id).join(Region, Region.id == User.region_id)
        .where(User.role == "district_official", User.is_active.is_(True),
               func.substr(path, 1, func.length(Region.path)) == Region.path)
    ).scalars().all()
    if officials:
        return list(officials)
    return list(session.execute(select(User.id).where(User.role == "leader", User.is_active.is_(True))).scalars())


def notify(session: Session, user_ids: Iterable[int | None], kind: str, alert: Alert, now: dt.datetime) -> None:
    project = session.get(Project, alert.project_id)
    rule = session.get(AlertRule, alert.rule_id)
    message = compose(kind, alert, project, rule)
    for user_id in dict.fromkeys(u for u in user_ids if u is not None):
        session.add(Notification(user_id=user_id, created_at=now, kind=kind, alert_id=alert.id,
                                 subject_zh=message.subject_zh, subject_en=message.subject_en,
                                 body_zh=message.body_zh, body_en=message.body_en, email_attempts=0))



def inbox(engine: Engine, viewer: Viewer, *, unread_only: bool = False, limit: int = 200) -> pd.DataFrame:
    """The viewer's own notifications, newest first; ``withheld`` marks those about a project now outside
    the viewer's scope (moved to another manager or district, or whose warning is gone).

    A withheld message keeps its time, kind and read state; its subject says why, its body and ``alert_id``
    are empty. The scope is decided in the statement, so the old content never leaves the database.
    """
    # A warning's message shows while its project is in scope: NULL (the warning is gone) counts as not visible;
    # a message about an archived project keeps its content. Reminders (kinds other than alert.*) always show.
    visible = or_(Notification.kind.not_like("alert.%"),
                  Alert.project_id.in_(scoped_projects(viewer, Project.id, include_archived=True)))

    def shown(column, withheld):
        return case((visible, column), else_=withheld).label(column.key)

    statement = (select(Notification.id, Notification.created_at, Notification.kind,
                        shown(Notification.alert_id, null()),
                        shown(Notification.subject_zh, literal(WITHHELD[1])),
                        shown(Notification.subject_en, literal(WITHHELD[0])),
                        shown(Notification.body_zh, literal("")), shown(Notification.body_en, literal("")),
                        Notification.read_at, case((visible, 0), else_=1).label("withheld"), Notification.topic)
                 .outerjoin(Alert, Alert.id == Notification.alert_id)
                 .where(Notification.user_id == viewer.user_id)
                 .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit))
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    with engine.connect() as connection:
        result = connection.execute(statement)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    frame["withheld"] = frame["withheld"].astype(bool)
    return frame


def unread_count(engine: Engine, viewer: Viewer) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(Notification).where(
            Notification.user_id == viewer.user_id, Notification.read_at.is_(None))).scalar()


def mark_read(engine: Engine, viewer: Viewer, notification_ids: Sequence[int] | None = None) -> None:
    """Mark the viewer's notifications read (all of them when no ids are given); never anyone else's."""
    statement = update(Notification).where(Notification.user_id == viewer.user_id, Notification.read_at.is_(None))
    if notification_ids is not None:
        statement = statement.where(Notification.id.in_(list(notification_ids)))
    with transaction(engine) as session:
        session.execute(statement.values(read_at=dt.datetime.now(dt.UTC)))


def pending_emails(engine: Engine, *, actor: Viewer, max_attempts: int, kinds: Sequence[str] | None = None,
                   exclude_kinds: Sequence[str] = ()) -> pd.DataFrame:
    """Notifications not yet e-mailed that have attempts left, with the recipient's address and language
    (everyone's: for the mailer, the system actor, only).

    Columns: id, user_id, kind, created_at, subject_zh, subject_en, body_zh, body_en, email_attempts, email,
    language, display_name.
    """
    require(actor, Action.SEND_NOTIFICATIONS)
    statement = (select(Notification.id, Notification.user_id, Notification.kind, Notification.created_at,
                        Notification.subject_zh, Notification.subject_en, Notification.body_zh,
                        Notification.body_en, Notification.email_attempts, User.email, User.language,
                        User.display_name)
                 .join(User, User.id == Notification.user_id)
                 .where(Notification.emailed_at.is_(None), Notification.email_attempts < max_attempts,
                        User.email.is_not(None), User.is_active.is_(True))
                 .order_by(Notification.id))
    if kinds is not None:
        statement = statement.where(Notification.kind.in_(list(kinds)))
    if exclude_kinds:
        statement = statement.where(Notification.kind.not_in(list(exclude_kinds)))
    with engine.connect() as connection:
        result = connection.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def record_email_result(engine: Engine, actor: Viewer, notification_ids: Sequence[int], error: str | None, *,
                        count_attempt: bool = True) -> None:
    """Count a sending attempt for these notifications; a success stops further attempts (system only).

    ``count_attempt=False`` records the error only: the mail server was down, which is no fault of the message,
    so an outage of any length never uses up its attempts."""
    require(actor, Action.SEND_NOTIFICATIONS)
    values: dict[str, Any] = {"email_error": error}
    if count_attempt:
        values["email_attempts"] = Notification.email_attempts + 1
    if error is None:
        values["emailed_at"] = dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        session.execute(update(Notification).where(Notification.id.in_(list(notification_ids))).values(**values))
