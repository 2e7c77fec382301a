"""The alert lifecycle as a table: action → the statuses it starts from, where it leads, who may take it,
what it does to the alert and its 整改 task, and whom it notifies.

open → acknowledged → rectifying (a 整改 task with owner, plan, due date) → resolved (evidence) → closed
(verified by a supervisor); a supervisor may send a resolved alert back to rectifying. One
:func:`transition` runs every action: permission, details, scope, status and version are checked before
anything is written, and the event, the audit entry and the notifications go in the same transaction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data_access.alerts.events import record_event
from data_access.alerts.messages import STATUS_ZH
from data_access.alerts.notifications import notify, supervisors_of
from data_access.alerts.queries import scoped_alert
from data_access.db import transaction
from data_access.errors import PermissionDenied, ValidationError, VersionConflict
from data_access.models import Alert, AlertEvent, Project, Rectification
from data_access.policy import ALLOWED, Action, Viewer, allowed, require
from data_access.scope import can_take_on

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_NOTE_CHARS = 5000  # plans, evidence and notes: a page of text
MAX_ATTACHMENT_NAME = 255  # Rectification.attachment_name


@dataclass(frozen=True)
class Details:
    """What the user entered with an action (checked by :func:`_check_details` before anything is read)."""

    note: str | None = None
    owner_id: int | None = None
    plan: str | None = None
    due_date: dt.date | None = None
    attachment_name: str | None = None
    attachment: bytes | None = None


@dataclass(frozen=True)
class Context:
    """What a step's handler works on, inside the transition's transaction."""

    session: Session
    actor: Viewer
    alert: Alert
    task: Rectification | None
    project: Project
    details: Details
    now: dt.datetime


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]  # the statuses the action may start from
    target: str  # the status it leads to
    permission: Action  # who may take it (scope and the handler's own checks come on top)
    handler: Callable[[Context], list[int | None]]  # changes the alert and its task; returns whom to notify
    notification: str | None  # the kind of message those people get (None: nobody is told)


def _acknowledge(context: Context) -> list[int | None]:
    context.alert.acknowledged_at = context.now
    return []


def _rectify(context: Context) -> list[int | None]:
    """Start (or re-plan) the 整改 task: an owner who can see the project, a plan and a due date."""
    alert, details, now = context.alert, context.details, context.now
    if details.owner_id is None or not (details.plan or "").strip() or details.due_date is None:
        raise ValidationError("A rectification needs an owner, a plan and a due date",
                              message_zh="整改任务须指定责任人、整改措施和完成期限")
    if details.due_date < now.date():
        raise ValidationError("The due date is in the past", message_zh="完成期限不能早于今天")
    if not can_take_on(context.session, details.owner_id, alert.project_id, ALLOWED[Action.OWN_RECTIFICATION]):
        raise ValidationError(
            "The owner must be an active admin, official or project manager who can see this project",
            message_zh="责任人须为能查看该项目的在职管理员、区县专员或项目经理")
    alert.acknowledged_at = alert.acknowledged_at or now
    plan = details.plan.strip()
    if context.task is None:
        context.session.add(Rectification(alert_id=alert.id, owner_id=details.owner_id, plan=plan,
                                          due_date=details.due_date))
    else:
        context.task.owner_id, context.task.plan, context.task.due_date = details.owner_id, plan, details.due_date
    return [details.owner_id]


def _resolve(context: Context) -> list[int | None]:
    """Submit the evidence: the task's owner or a supervisor, with a note and optionally a file."""
    task, actor, details = context.task, context.actor, context.details
    if task is None or (actor.user_id != task.owner_id and not allowed(actor, Action.VERIFY_RECTIFICATION)):
        raise PermissionDenied("Only the rectification's owner or a supervisor may submit it",
                               message_zh="只有整改责任人或上级可以提交整改结果")
    if not (details.note or "").strip():
        raise ValidationError("Describe the evidence of the rectification", message_zh="请填写整改佐证说明")
    task.evidence_note, task.resolved_at = details.note.strip(), context.now
    if details.attachment is not None:
        task.attachment_name, task.attachment = details.attachment_name or "attachment", details.attachment
    return supervisors_of(context.session, context.project)


def _resolved_by(session: Session, alert_id: int) -> int | None:
    """Who submitted the evidence of the alert's latest resolution (None when the data cleared it)."""
    return session.execute(select(AlertEvent.actor_id).where(AlertEvent.alert_id == alert_id,
                                                             AlertEvent.to_status == "resolved")
                           .order_by(AlertEvent.occurred_at.desc(), AlertEvent.id.desc()).limit(1)).scalar()


def _verify(context: Context) -> list[int | None]:
    """Separation of duties: a supervisor who neither owns the task nor submitted its evidence."""
    task = context.task
    if context.actor.user_id in {task.owner_id if task else None, _resolved_by(context.session, context.alert.id)}:
        raise PermissionDenied("You cannot verify a rectification you own or submitted",
                               message_zh="不能核验自己负责或提交的整改")
    return [context.project.manager_id, task.owner_id if task else None]


def _close(context: Context) -> list[int | None]:
    recipients = _verify(context)
    if context.task is not None:  # alerts resolved by the data alone have no task to sign off
        context.task.verified_by, context.task.verified_at = context.actor.user_id, context.now
    context.alert.closed_at = context.now
    return recipients


STEPS: dict[str, Step] = {
    "acknowledge": Step(frozenset({"open"}), "acknowledged", Action.HANDLE_ALERT, _acknowledge, None),
    "rectify": Step(frozenset({"open", "acknowledged"}), "rectifying", Action.HANDLE_ALERT, _rectify, None),
    "resolve": Step(frozenset({"rectifying"}), "resolved", Action.HANDLE_ALERT, _resolve, "alert.resolved"),
    "close": Step(frozenset({"resolved"}), "closed", Action.VERIFY_RECTIFICATION, _close, "alert.closed"),
    "reject": Step(frozenset({"resolved"}), "rectifying", Action.VERIFY_RECTIFICATION, _verify, "alert.rejected"),
}


def _text(value: object, what: str, what_zh: str, limit: int) -> str:
    """A user-written text field, stripped; anything that is not text, or too long, is refused."""
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be text", message_zh=f"{what_zh}须为文字")
    if len(value) > limit:
        raise ValidationError(f"{what} is longer than {limit} characters",
                              message_zh=f"{what_zh}不能超过 {limit} 个字符")
    return value.strip()


def _check_details(details: Details) -> None:
    """Types and sizes of a transition's details, before anything is read or written."""
    for value, what, what_zh in ((details.note, "The note", "说明"), (details.plan, "The plan", "整改措施")):
        if value is not None:
            _text(value, what, what_zh, MAX_NOTE_CHARS)
    due_date = details.due_date
    if due_date is not None and (not isinstance(due_date, dt.date) or isinstance(due_date, dt.datetime)):
        raise ValidationError("The due date must be a date", message_zh="完成期限须为日期")
    if details.attachment_name is not None:
        _text(details.attachment_name, "The attachment name", "附件名称", MAX_ATTACHMENT_NAME)
    attachment = details.attachment
    if attachment is not None and not isinstance(attachment, bytes):
        raise ValidationError("The attachment must be a file's bytes", message_zh="附件须为文件内容")
    if attachment is not None and len(attachment) > MAX_ATTACHMENT_BYTES:
        raise ValidationError("The attachment is larger than 5 MB", message_zh="附件超过 5 MB")


def _check_scope_first(engine: Engine, actor: Viewer, alert_id: int) -> None:
    """Refuse (and audit) an alert out of scope before the write transaction, which cannot audit it."""
    with Session(engine) as session:
        scoped_alert(session, actor, alert_id)


def _take(session: Session, actor: Viewer, alert_id: int, expected_version: int, action: str,
          details: Details, now: dt.datetime) -> int:
    """Take one step on one alert inside the caller's transaction; returns the alert's new version."""
    step = STEPS[action]
    alert = scoped_alert(session, actor, alert_id, audit_refusal=False)
    if alert.status not in step.sources:
        raise ValidationError(f"An alert that is {alert.status} cannot be {action}d",
                              message_zh=f"处于“{STATUS_ZH[alert.status]}”状态的预警不能执行此操作")
    if alert.version != expected_version:
        raise VersionConflict(f"Alert {alert_id} was changed by someone else; reload and try again",
                              message_zh="该预警已被他人处理，请刷新后重试")
    before = alert.status
    task = session.execute(select(Rectification).where(Rectification.alert_id == alert.id)).scalar_one_or_none()
    context = Context(session, actor, alert, task, session.get(Project, alert.project_id), details, now)
    recipients = step.handler(context)
    alert.status = step.target
    alert.version += 1
    record_event(session, alert, actor, before, details.note, now)
    if step.notification:
        notify(session, recipients, step.notification, alert, now)
    return alert.version


def transition(
    engine: Engine,
    actor: Viewer,
    alert_id: int,
    expected_version: int,
    action: str,
    *,
    note: str | None = None,
    owner_id: int | None = None,
    plan: str | None = None,
    due_date: dt.date | None = None,
    attachment_name: str | None = None,
    attachment: bytes | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Move an alert along its lifecycle; returns the new version.

    Who may take each action is the policy's (``Action.HANDLE_ALERT``, ``Action.VERIFY_RECTIFICATION``):
    ``acknowledge``: a handler (admin, the district's official, the project's manager).
    ``rectify``: a handler, with ``owner_id``, ``plan`` and ``due_date`` (the 整改 task).
    ``resolve``: the task's owner or a supervisor, with a ``note`` (and optionally an attachment).
    ``close`` / ``reject``: a supervisor (admin or the district's official) who neither owns the task nor
    submitted its evidence (separation of duties); a project manager can never verify a rectification.
    Every id, type and size is checked before writing: a refusal is a :class:`DataAccessError`.
    """
    if action not in STEPS:
        raise ValidationError(f"Unknown action {action!r}", message_zh=f"未知操作 {action!r}")
    require(actor, STEPS[action].permission)
    details = Details(note, owner_id, plan, due_date, attachment_name, attachment)
    _check_details(details)
    now = now or dt.datetime.now(dt.UTC)
    _check_scope_first(engine, actor, alert_id)
    with transaction(engine) as session:
        return _take(session, actor, alert_id, expected_version, action, details, now)


def acknowledge_many(engine: Engine, actor: Viewer, alerts: Mapping[int, int]) -> int:
    """Acknowledge several open alerts ({alert id: version}); all or nothing. Returns how many."""
    require(actor, STEPS["acknowledge"].permission)
    for alert_id in alerts:
        _check_scope_first(engine, actor, alert_id)
    now = dt.datetime.now(dt.UTC)
    with transaction(engine) as session:
        for alert_id, version in alerts.items():
            _take(session, actor, alert_id, version, "acknowledge", Details(), now)
    return len(alerts)
