"""Alerts and their rectification (预警与整改): storage, scoped reads, the lifecycle, the inbox.

Lifecycle: open → acknowledged → rectifying (a 整改 task with owner, plan, due date) → resolved (evidence)
→ closed (verified by a supervisor). A supervisor may send a resolved alert back to rectifying. The evaluator
(system) opens alerts, keeps one live alert per rule × project, resolves open ones whose condition has
cleared, and reopens a closed one whose condition persists in data newer than its closing. Every
transition writes an event, an audit entry and the in-app notifications in the same transaction.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, literal, null, select, update
from sqlalchemy.orm import Session, aliased

from data_access import audit
from data_access.db import transaction
from data_access.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from data_access.models import (
    RULE_SCOPES,
    SEVERITIES,
    Alert,
    AlertEvent,
    AlertRule,
    Notification,
    Project,
    Rectification,
    Region,
    User,
)
from data_access.scope import (
    Viewer,
    can_take_on,
    checked_id,
    refusal,
    require_project_in_scope,
    require_role,
    scoped_projects,
)

HANDLER_ROLES = frozenset({"admin", "district_official", "project_manager"})
SUPERVISOR_ROLES = frozenset({"admin", "district_official"})
ALLOWED = {
    "acknowledge": ({"open"}, "acknowledged"),
    "rectify": ({"open", "acknowledged"}, "rectifying"),
    "resolve": ({"rectifying"}, "resolved"),
    "close": ({"resolved"}, "closed"),
    "reject": ({"resolved"}, "rectifying"),
}
STATUS_ZH = {"open": "待处理", "acknowledged": "已确认", "rectifying": "整改中", "resolved": "待核验", "closed": "已关闭"}
SEVERITY_ZH = {"red": "红色", "orange": "橙色", "yellow": "黄色"}
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_NOTE_CHARS = 5000  # plans, evidence and notes: a page of text
MAX_ATTACHMENT_NAME = 255  # Rectification.attachment_name


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# -- rules ----------------------------------------------------------------------------------------------
def list_rules(engine: Engine, viewer: Viewer, *, enabled_only: bool = False) -> pd.DataFrame:  # noqa: ARG001
    """Configured rules (every role may read them). ``params`` is a dict."""
    statement = select(AlertRule).order_by(AlertRule.id)
    if enabled_only:
        statement = statement.where(AlertRule.enabled.is_(True))
    with Session(engine) as session:
        rows = session.execute(statement).scalars().all()
        return pd.DataFrame([
            {"id": r.id, "name_zh": r.name_zh, "name_en": r.name_en, "rule_type": r.rule_type,
             "severity": r.severity, "params": json.loads(r.params or "{}"), "scope_kind": r.scope_kind,
             "scope_value": r.scope_value, "enabled": bool(r.enabled), "version": r.version}
            for r in rows
        ], columns=["id", "name_zh", "name_en", "rule_type", "severity", "params", "scope_kind", "scope_value",
                    "enabled", "version"])


RULE_FIELDS = frozenset({"name_zh", "name_en", "rule_type", "severity", "params", "scope_kind", "scope_value",
                         "enabled"})
MAX_PARAMS_CHARS = 2000  # a rule has a handful of numbers; a bound keeps parsing cheap and shallow
PARAM_VALUE_TYPES = (str, int, float, bool, type(None))


def _bad_params(english: str, chinese: str) -> ValidationError:
    return ValidationError(f"Rule parameters: {english}", message_zh=f"规则参数：{chinese}")


def _check_params(params: object) -> dict[str, Any]:
    """Rule parameters are one flat JSON object of names and plain values (numbers, text, true/false)."""
    if not isinstance(params, dict):
        raise _bad_params('expected an object such as {"periods": 3}', '须为 JSON 对象，例如 {"periods": 3}')
    for name, value in params.items():
        if not isinstance(name, str) or not 0 < len(name) <= 40:
            raise _bad_params("names must be text of 1–40 characters", "名称须为 1–40 个字符")
        if not isinstance(value, PARAM_VALUE_TYPES) or isinstance(value, float) and not math.isfinite(value):
            raise _bad_params(f"{name!r} must be a number, text or true/false", f"{name!r} 须为数字、文字或 true/false")
    if len(json.dumps(params, ensure_ascii=False)) > MAX_PARAMS_CHARS:
        raise _bad_params(f"longer than {MAX_PARAMS_CHARS} characters", f"超过 {MAX_PARAMS_CHARS} 个字符")
    return params


def parse_rule_params(text: str) -> dict[str, Any]:
    """Rule parameters as typed on the rules page (JSON; blank means none), checked like :func:`save_rule`."""
    if not isinstance(text, str) or len(text) > MAX_PARAMS_CHARS:
        raise _bad_params(f"at most {MAX_PARAMS_CHARS} characters of JSON", f"最多 {MAX_PARAMS_CHARS} 个字符的 JSON")
    try:
        params = json.loads(text.strip() or "{}")
    except (ValueError, RecursionError) as error:  # RecursionError: nesting deeper than the parser allows
        raise _bad_params(f"not valid JSON ({str(error)[:80]})", "不是有效的 JSON") from None
    return _check_params(params)


def _check_rule(values: dict[str, Any], *, creating: bool) -> None:
    """Shape and length of every rule field (column sizes in ``models.AlertRule``), on both databases."""
    unknown = sorted(set(values) - RULE_FIELDS)
    missing = sorted(RULE_FIELDS - {"scope_value", "enabled"} - set(values)) if creating else []
    if unknown or missing:
        raise ValidationError(f"Rule fields unknown {unknown} or missing {missing}",
                              message_zh=f"规则字段有误：未知 {unknown}，缺少 {missing}")
    for name, limit, name_zh in (("name_zh", 80, "中文名称"), ("name_en", 120, "英文名称"), ("rule_type", 30, "规则类型")):
        if name in values:
            if not isinstance(values[name], str) or not values[name].strip():
                raise ValidationError(f"The rule's {name} is empty", message_zh=f"规则的{name_zh}不能为空")
            values[name] = values[name].strip()
            if len(values[name]) > limit:
                raise ValidationError(f"The rule's {name} is longer than {limit} characters",
                                      message_zh=f"规则的{name_zh}不能超过 {limit} 个字符")
    if "severity" in values and values["severity"] not in SEVERITIES:
        raise ValidationError("Unknown severity", message_zh="未知的预警级别")
    if "scope_kind" in values and values["scope_kind"] not in RULE_SCOPES:
        raise ValidationError("Unknown scope", message_zh="未知的适用范围")
    scope_value = values.get("scope_value")
    if scope_value is not None and (not isinstance(scope_value, str) or len(scope_value) > 200):
        raise ValidationError("The scope value must be text of at most 200 characters",
                              message_zh="范围取值须为不超过 200 个字符的文字")
    if "enabled" in values and not isinstance(values["enabled"], bool):
        raise ValidationError("'enabled' must be true or false", message_zh="“启用”须为是或否")
    if "params" in values:
        _check_params(values["params"])


def save_rule(engine: Engine, actor: Viewer, fields: Mapping[str, Any], *, rule_id: int | None = None,
              expected_version: int | None = None) -> int:
    """Create (``rule_id`` None) or change a rule; admins only. Returns the rule id.

    Shape and lengths are checked here (a :class:`ValidationError`, never a database error); what the
    parameters mean is checked by the caller (``services.alerts`` builds a ``scoring.rules.Rule`` first).
    """
    require_role(actor, frozenset({"admin"}), "configure warning rules", "配置预警规则")
    values = dict(fields)
    _check_rule(values, creating=rule_id is None)
    if rule_id is not None:
        rule_id = checked_id(rule_id, "rule")
    if "params" in values:
        values["params"] = json.dumps(values["params"], sort_keys=True, ensure_ascii=False)
    values["updated_at"] = _now()
    with transaction(engine) as session:
        if rule_id is None:
            rule = AlertRule(**values, version=1)
            session.add(rule)
            session.flush()
            audit.append(session, actor=actor, action="rule.create", entity="alert_rule", entity_id=rule.id,
                         after={k: v for k, v in values.items() if k != "updated_at"})
            return rule.id
        before = session.get(AlertRule, rule_id)
        if before is None:
            raise NotFound(f"Rule {rule_id} does not exist", message_zh=f"预警规则 {rule_id} 不存在")
        snapshot = {k: getattr(before, k) for k in values if k != "updated_at"}
        result = session.execute(update(AlertRule).where(AlertRule.id == rule_id,
                                                         AlertRule.version == expected_version)
                                 .values(**values, version=AlertRule.version + 1))
        if result.rowcount != 1:
            raise VersionConflict(f"Rule {rule_id} was changed by someone else", message_zh="该规则已被他人修改，请刷新后重试")
        audit.append(session, actor=actor, action="rule.update", entity="alert_rule", entity_id=rule_id,
                     before=snapshot, after={k: v for k, v in values.items() if k != "updated_at"})
        return rule_id


# -- reads ----------------------------------------------------------------------------------------------
def list_alerts(
    engine: Engine,
    viewer: Viewer,
    *,
    statuses: Sequence[str] | None = None,
    severities: Sequence[str] | None = None,
    rule_ids: Sequence[int] | None = None,
    region_id: int | None = None,
    project_id: int | None = None,
) -> pd.DataFrame:
    """Alerts of projects in the viewer's scope, newest first, with rule, project, region and 整改 fields."""
    owner, manager = aliased(User), aliased(User)
    statement = (
        scoped_projects(
            viewer, Alert.id, Alert.rule_id, AlertRule.name_zh.label("rule_zh"), AlertRule.name_en.label("rule_en"),
            AlertRule.rule_type, Alert.project_id, Project.code.label("project_code"),
            Project.name_zh.label("project_zh"), Project.name_en.label("project_en"), Project.manager_id,
            manager.display_name.label("manager_name"),
            Region.name_zh.label("region_zh"), Region.name_en.label("region_en"), Region.path.label("region_path"),
            Alert.status, Alert.severity, Alert.value, Alert.threshold, Alert.data_period, Alert.detail,
            Alert.opened_at, Alert.acknowledged_at, Alert.escalated_at, Alert.closed_at, Alert.reopen_count,
            Alert.version, Rectification.owner_id.label("owner_id"), owner.display_name.label("owner_name"),
            Rectification.plan, Rectification.due_date, Rectification.evidence_note)
        .join(Alert, Alert.project_id == Project.id)
        .join(AlertRule, AlertRule.id == Alert.rule_id)
        .outerjoin(Rectification, Rectification.alert_id == Alert.id)
        .outerjoin(owner, owner.id == Rectification.owner_id)
        .outerjoin(manager, manager.id == Project.manager_id)
        .order_by(Alert.opened_at.desc(), Alert.id.desc())
    )
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
    with engine.connect() as connection:
        result = connection.execute(statement)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    parts = frame["region_path"].str.strip("/").str.split("/")
    frame["district_id"] = parts.str[1].astype("Int64") if len(frame) else pd.Series(dtype="Int64")
    return frame


def _scoped_alert(session: Session, viewer: Viewer, alert_id: int, *, audit_refusal: bool = True) -> Alert:
    """The alert, or the same refusal for an unknown id and for an alert of a project out of scope."""
    alert = session.get(Alert, checked_id(alert_id, "alert"))
    if alert is None:
        raise refusal("alert")
    require_project_in_scope(session, viewer, alert.project_id, audit_refusal=audit_refusal, kind="alert")
    return alert


def alert_history(engine: Engine, viewer: Viewer, alert_id: int) -> pd.DataFrame:
    """Events of one alert, oldest first (PermissionDenied when its project is out of scope)."""
    with Session(engine) as session:
        _scoped_alert(session, viewer, alert_id)
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
        _scoped_alert(session, viewer, alert_id)
        task = session.execute(select(Rectification).where(Rectification.alert_id == alert_id)).scalar_one_or_none()
        if task is None or task.attachment is None:
            return None
        return task.attachment_name or "attachment", task.attachment


def live_alert_pairs(engine: Engine) -> pd.DataFrame:
    """(rule_id, project_id, id, status) of every alert that is not closed (for the evaluator)."""
    with engine.connect() as connection:
        result = connection.execute(select(Alert.rule_id, Alert.project_id, Alert.id, Alert.status)
                                    .where(Alert.status != "closed"))
        return pd.DataFrame(result.fetchall(), columns=["rule_id", "project_id", "id", "status"])


# -- notifications --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Message:
    subject_zh: str
    subject_en: str
    body_zh: str
    body_en: str


def _message(kind: str, alert: Alert, project: Project, rule: AlertRule) -> Message:
    colour_zh, colour_en = SEVERITY_ZH[alert.severity], alert.severity.capitalize()
    head_zh = f"【{colour_zh}预警】{project.name_zh}：{rule.name_zh}"
    head_en = f"[{colour_en} warning] {project.name_en}: {rule.name_en}"
    value = "—" if alert.value is None else f"{alert.value:.1f}"
    threshold = "—" if alert.threshold is None else f"{alert.threshold:.1f}"
    what = {
        "alert.opened": ("新预警，请及时确认并整改。", "A new warning: please acknowledge it and start rectification."),
        "alert.reopened": ("已关闭的预警再次触发，请重新整改。", "A closed warning fired again: please rectify it again."),
        "alert.escalated": ("红色预警超过期限未确认，已上报给您。", "A red warning was not acknowledged in time and is escalated to you."),
        "alert.resolved": ("整改已提交，请核验。", "Rectification submitted: please verify it."),
        "alert.rejected": ("整改核验未通过，请继续整改。", "The rectification was not accepted: please continue."),
        "alert.closed": ("整改已核验，预警关闭。", "Rectification verified; the warning is closed."),
    }[kind]
    return Message(
        subject_zh=head_zh, subject_en=head_en,
        body_zh=f"{what[0]}\n项目：{project.code} {project.name_zh}\n规则：{rule.name_zh}\n数值：{value}（阈值 {threshold}）\n"
                f"状态：{STATUS_ZH[alert.status]}\n查看：/alerts?alert={alert.id}",
        body_en=f"{what[1]}\nProject: {project.code} {project.name_en}\nRule: {rule.name_en}\n"
                f"Value: {value} (threshold {threshold})\nStatus: {alert.status}\nOpen: /alerts?alert={alert.id}",
    )


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


def _notify(session: Session, user_ids: Iterable[int | None], kind: str, alert: Alert, now: dt.datetime) -> None:
    project = session.get(Project, alert.project_id)
    rule = session.get(AlertRule, alert.rule_id)
    message = _message(kind, alert, project, rule)
    for user_id in dict.fromkeys(u for u in user_ids if u is not None):
        session.add(Notification(user_id=user_id, created_at=now, kind=kind, alert_id=alert.id,
                                 subject_zh=message.subject_zh, subject_en=message.subject_en,
                                 body_zh=message.body_zh, body_en=message.body_en, email_attempts=0))


WITHHELD = ("This message concerns a project that is no longer in your scope", "一条消息涉及的项目已不在您的权限范围内")


def inbox(engine: Engine, viewer: Viewer, *, unread_only: bool = False, limit: int = 200) -> pd.DataFrame:
    """The viewer's own notifications, newest first; ``withheld`` marks those about a project now outside
    the viewer's scope (moved to another manager or district, or whose warning is gone).

    A withheld message keeps its time, kind and read state; its subject says why, its body and ``alert_id``
    are empty. The scope is decided in the statement, so the old content never leaves the database.
    """
    visible = Alert.project_id.in_(scoped_projects(viewer, Project.id))  # NULL (no warning) counts as not visible

    def shown(column, withheld):  # noqa: ANN001, ANN202 - a column and its replacement
        return case((visible, column), else_=withheld).label(column.key)

    statement = (select(Notification.id, Notification.created_at, Notification.kind,
                        shown(Notification.alert_id, null()),
                        shown(Notification.subject_zh, literal(WITHHELD[1])),
                        shown(Notification.subject_en, literal(WITHHELD[0])),
                        shown(Notification.body_zh, literal("")), shown(Notification.body_en, literal("")),
                        Notification.read_at, case((visible, 0), else_=1).label("withheld"))
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
        session.execute(statement.values(read_at=_now()))


def pending_emails(engine: Engine, *, max_attempts: int, kinds: Sequence[str] | None = None,
                   exclude_kinds: Sequence[str] = ()) -> pd.DataFrame:
    """Notifications not yet e-mailed that have attempts left, with the recipient's address and language.

    Columns: id, user_id, kind, created_at, subject_zh, subject_en, body_zh, body_en, email_attempts, email,
    language, display_name.
    """
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


def record_email_result(engine: Engine, notification_ids: Sequence[int], error: str | None) -> None:
    """Count a sending attempt for these notifications; a success stops further attempts."""
    values: dict[str, Any] = {"email_attempts": Notification.email_attempts + 1, "email_error": error}
    if error is None:
        values["emailed_at"] = _now()
    with transaction(engine) as session:
        session.execute(update(Notification).where(Notification.id.in_(list(notification_ids))).values(**values))


# -- the lifecycle ----------------------------------------------------------------------------------------
def _event(session: Session, alert: Alert, actor: Viewer | None, before: str | None, note: str | None,
           now: dt.datetime) -> None:
    session.add(AlertEvent(alert_id=alert.id, occurred_at=now, actor_id=actor.user_id if actor else None,
                           from_status=before, to_status=alert.status, note=note))
    audit.append(session, actor=actor, action=f"alert.{alert.status}", entity="alert", entity_id=alert.id,
                 before=None if before is None else {"status": before}, after={"status": alert.status, "note": note},
                 now=now)


def _load_for_transition(session: Session, actor: Viewer, alert_id: int, expected_version: int,
                         action: str) -> tuple[Alert, str]:
    alert = _scoped_alert(session, actor, alert_id, audit_refusal=False)
    sources, _ = ALLOWED[action]
    if alert.status not in sources:
        raise ValidationError(f"An alert that is {alert.status} cannot be {action}d",
                              message_zh=f"处于“{STATUS_ZH[alert.status]}”状态的预警不能执行此操作")
    if alert.version != expected_version:
        raise VersionConflict(f"Alert {alert_id} was changed by someone else; reload and try again",
                              message_zh="该预警已被他人处理，请刷新后重试")
    return alert, alert.status


def _check_scope_first(engine: Engine, actor: Viewer, alert_id: int) -> None:
    with Session(engine) as session:
        _scoped_alert(session, actor, alert_id)


def _text(value: object, what: str, what_zh: str, limit: int) -> str:
    """A user-written text field, stripped; anything that is not text, or too long, is refused."""
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be text", message_zh=f"{what_zh}须为文字")
    if len(value) > limit:
        raise ValidationError(f"{what} is longer than {limit} characters", message_zh=f"{what_zh}不能超过 {limit} 个字符")
    return value.strip()


def _check_details(note: object, plan: object, due_date: object, attachment_name: object, attachment: object) -> None:
    """Types and sizes of a transition's details, before anything is read or written."""
    for value, what, what_zh in ((note, "The note", "说明"), (plan, "The plan", "整改措施")):
        if value is not None:
            _text(value, what, what_zh, MAX_NOTE_CHARS)
    if due_date is not None and (not isinstance(due_date, dt.date) or isinstance(due_date, dt.datetime)):
        raise ValidationError("The due date must be a date", message_zh="完成期限须为日期")
    if attachment_name is not None:
        _text(attachment_name, "The attachment name", "附件名称", MAX_ATTACHMENT_NAME)
    if attachment is not None and not isinstance(attachment, bytes):
        raise ValidationError("The attachment must be a file's bytes", message_zh="附件须为文件内容")
    if attachment is not None and len(attachment) > MAX_ATTACHMENT_BYTES:
        raise ValidationError("The attachment is larger than 5 MB", message_zh="附件超过 5 MB")


def _resolved_by(session: Session, alert_id: int) -> int | None:
    """Who submitted the evidence of the alert's latest resolution (None when the data cleared it)."""
    return session.execute(select(AlertEvent.actor_id).where(AlertEvent.alert_id == alert_id,
                                                             AlertEvent.to_status == "resolved")
                           .order_by(AlertEvent.occurred_at.desc(), AlertEvent.id.desc()).limit(1)).scalar()


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

    ``acknowledge``: a handler (admin, the district's official, the project's manager).
    ``rectify``: a handler, with ``owner_id``, ``plan`` and ``due_date`` (the 整改 task).
    ``resolve``: the task's owner or a supervisor, with a ``note`` (and optionally an attachment).
    ``close`` / ``reject``: a supervisor (admin or the district's official) who neither owns the task nor
    submitted its evidence (separation of duties); a project manager can never verify a rectification.
    Every id, type and size is checked before writing: a refusal is a :class:`DataAccessError`.
    """
    if action not in ALLOWED:
        raise ValidationError(f"Unknown action {action!r}", message_zh=f"未知操作 {action!r}")
    roles = SUPERVISOR_ROLES if action in {"close", "reject"} else HANDLER_ROLES
    require_role(actor, roles, f"{action} alerts", "执行此预警操作")
    _check_details(note, plan, due_date, attachment_name, attachment)
    now = now or _now()
    _check_scope_first(engine, actor, alert_id)
    with transaction(engine) as session:
        alert, before = _load_for_transition(session, actor, alert_id, expected_version, action)
        task = session.execute(select(Rectification).where(Rectification.alert_id == alert_id)).scalar_one_or_none()
        project = session.get(Project, alert.project_id)
        recipients: list[int | None] = []
        if action == "acknowledge":
            alert.acknowledged_at = now
        elif action == "rectify":
            if owner_id is None or not (plan or "").strip() or due_date is None:
                raise ValidationError("A rectification needs an owner, a plan and a due date",
                                      message_zh="整改任务须指定责任人、整改措施和完成期限")
            if due_date < now.date():
                raise ValidationError("The due date is in the past", message_zh="完成期限不能早于今天")
            if not can_take_on(session, owner_id, alert.project_id, HANDLER_ROLES):
                raise ValidationError(
                    "The owner must be an active admin, official or project manager who can see this project",
                    message_zh="责任人须为能查看该项目的在职管理员、区县专员或项目经理")
            alert.acknowledged_at = alert.acknowledged_at or now
            if task is None:
                session.add(Rectification(alert_id=alert_id, owner_id=owner_id, plan=plan.strip(), due_date=due_date))
            else:
                task.owner_id, task.plan, task.due_date = owner_id, plan.strip(), due_date
            recipients = [owner_id]
        elif action == "resolve":
            if task is None or (actor.user_id != task.owner_id and actor.role not in SUPERVISOR_ROLES):
                raise PermissionDenied("Only the rectification's owner or a supervisor may submit it",
                                       message_zh="只有整改责任人或上级可以提交整改结果")
            if not (note or "").strip():
                raise ValidationError("Describe the evidence of the rectification", message_zh="请填写整改佐证说明")
            task.evidence_note, task.resolved_at = note.strip(), now
            if attachment is not None:
                task.attachment_name, task.attachment = attachment_name or "attachment", attachment
            recipients = supervisors_of(session, project)
        else:  # close or reject: verification by a supervisor who did not do the work
            if actor.user_id in {task.owner_id if task else None, _resolved_by(session, alert_id)}:
                raise PermissionDenied("You cannot verify a rectification you own or submitted",
                                       message_zh="不能核验自己负责或提交的整改")
            if action == "close":
                if task is not None:  # alerts resolved by the data alone have no task to sign off
                    task.verified_by, task.verified_at = actor.user_id, now
                alert.closed_at = now
            recipients = [project.manager_id, task.owner_id if task else None]
        alert.status = ALLOWED[action][1]
        alert.version += 1
        _event(session, alert, actor, before, note, now)
        kind = {"resolve": "alert.resolved", "close": "alert.closed", "reject": "alert.rejected"}.get(action)
        if kind:
            _notify(session, recipients, kind, alert, now)
        return alert.version


def acknowledge_many(engine: Engine, actor: Viewer, alerts: Mapping[int, int]) -> int:
    """Acknowledge several open alerts ({alert id: version}); all or nothing. Returns how many."""
    require_role(actor, HANDLER_ROLES, "acknowledge alerts", "确认预警")
    for alert_id in alerts:
        _check_scope_first(engine, actor, alert_id)
    now = _now()
    with transaction(engine) as session:
        for alert_id, version in alerts.items():
            alert, before = _load_for_transition(session, actor, alert_id, version, "acknowledge")
            alert.status, alert.acknowledged_at, alert.version = "acknowledged", now, alert.version + 1
            _event(session, alert, actor, before, None, now)
    return len(alerts)


# -- what the evaluator writes ------------------------------------------------------------------------------
@dataclass(frozen=True)
class EvaluationChanges:
    opened: int
    reopened: int
    kept: int
    cleared: int


def apply_findings(engine: Engine, findings: pd.DataFrame, *, rule_ids: Sequence[int],
                   project_ids: Sequence[int] | None, as_of: dt.date, now: dt.datetime | None = None
                   ) -> EvaluationChanges:
    """Store one evaluation: open new alerts, refresh live ones, resolve cleared ones, reopen recurrences.

    Only rules in ``rule_ids`` and (when given) projects in ``project_ids`` are touched, so evaluating the
    projects of one import leaves every other alert as it is. Idempotent: the same findings twice change
    nothing the second time but ``last_evaluated_at``.
    """
    now = now or _now()
    opened = reopened = kept = cleared = 0
    with transaction(engine) as session:
        live_query = select(Alert).where(Alert.status != "closed", Alert.rule_id.in_(list(rule_ids)))
        if project_ids is not None:
            live_query = live_query.where(Alert.project_id.in_(list(project_ids)))
        live = {(a.rule_id, a.project_id): a for a in session.execute(live_query).scalars()}
        firing = set()
        for row in findings.itertuples(index=False):
            key = (int(row.rule_id), int(row.project_id))
            firing.add(key)
            fields = {"severity": row.severity, "value": None if pd.isna(row.value) else float(row.value),
                      "threshold": None if pd.isna(row.threshold) else float(row.threshold),
                      "data_period": None if pd.isna(row.period) else pd.Timestamp(row.period).date(),
                      "detail": json.dumps(row.detail, sort_keys=True, ensure_ascii=False, default=str)}
            if key in live:
                alert = live[key]
                for name, value in fields.items():
                    setattr(alert, name, value)
                alert.last_evaluated_at = now
                kept += 1
                continue
            closed = session.execute(
                select(Alert).where(Alert.rule_id == key[0], Alert.project_id == key[1], Alert.status == "closed")
                .order_by(Alert.closed_at.desc()).limit(1)).scalar_one_or_none()
            if closed is not None and _persists_after_closing(closed, fields["data_period"], as_of):
                closed.status, closed.closed_at, closed.reopen_count = "open", None, closed.reopen_count + 1
                closed.acknowledged_at, closed.escalated_at, closed.opened_at = None, None, now
                for name, value in fields.items():
                    setattr(closed, name, value)
                closed.last_evaluated_at, closed.version = now, closed.version + 1
                _event(session, closed, None, "closed", "condition persists after closing", now)
                project = session.get(Project, closed.project_id)
                _notify(session, [project.manager_id, *supervisors_of(session, project)], "alert.reopened", closed, now)
                reopened += 1
                continue
            if closed is not None:
                continue  # the data behind the verified fix has not changed since it was closed
            alert = Alert(rule_id=key[0], project_id=key[1], status="open", opened_at=now, last_evaluated_at=now,
                          reopen_count=0, version=1, **fields)
            session.add(alert)
            session.flush()
            _event(session, alert, None, None, None, now)
            project = session.get(Project, alert.project_id)
            recipients = [project.manager_id] + (supervisors_of(session, project) if alert.severity == "red" else [])
            _notify(session, recipients, "alert.opened", alert, now)
            opened += 1
        for key, alert in live.items():
            if key not in firing and alert.status in {"open", "acknowledged"}:
                before = alert.status
                alert.status, alert.last_evaluated_at, alert.version = "resolved", now, alert.version + 1
                _event(session, alert, None, before, "condition cleared in the data", now)
                _notify(session, supervisors_of(session, session.get(Project, alert.project_id)), "alert.resolved",
                        alert, now)
                cleared += 1
    return EvaluationChanges(opened, reopened, kept, cleared)


def _persists_after_closing(closed: Alert, data_period: dt.date | None, as_of: dt.date) -> bool:
    """Reopen only on evidence newer than the closing: a later data month, or a later evaluation day."""
    closed_at = closed.closed_at if closed.closed_at.tzinfo else closed.closed_at.replace(tzinfo=dt.timezone.utc)
    if data_period is not None:
        return data_period > closed_at.date().replace(day=1)
    return as_of > closed_at.date()


def escalate_unacknowledged(engine: Engine, *, after_days: float, now: dt.datetime | None = None) -> int:
    """Escalate red alerts still open after ``after_days`` to the supervisors; each alert once."""
    now = now or _now()
    deadline = now - dt.timedelta(days=after_days)
    with transaction(engine) as session:
        due = session.execute(select(Alert).where(Alert.status == "open", Alert.severity == "red",
                                                  Alert.escalated_at.is_(None), Alert.opened_at <= deadline)
                              ).scalars().all()
        for alert in due:
            alert.escalated_at, alert.version = now, alert.version + 1
            project = session.get(Project, alert.project_id)
            session.add(AlertEvent(alert_id=alert.id, occurred_at=now, actor_id=None, from_status="open",
                                   to_status="open", note=f"escalated after {after_days:g} days unacknowledged"))
            audit.append(session, actor=None, action="alert.escalated", entity="alert", entity_id=alert.id, now=now)
            _notify(session, supervisors_of(session, project), "alert.escalated", alert, now)
        return len(due)


def alert_counts_by_district(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Live alerts per district and severity in the viewer's scope: district_id, severity, count."""
    frame = list_alerts(engine, viewer, statuses=["open", "acknowledged", "rectifying", "resolved"])
    if frame.empty:
        return pd.DataFrame(columns=["district_id", "severity", "count"])
    return frame.groupby(["district_id", "severity"]).size().rename("count").reset_index()

