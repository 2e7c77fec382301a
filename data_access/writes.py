"""Scoped writes: permission check, validation, optimistic locking and audit in one transaction.

Each function takes the acting viewer and the version the caller last read. The UPDATE matches on that
version; if someone saved in between, nothing is written and :class:`VersionConflict` says so.

Every value is checked before it reaches the database: ids against the actor's scope (a manager or owner
must be an active user of the right role who can see the project), series ownership (plans are set by
officials, analysts and admins, never by the project manager measured against them), plausible ranges and
types. A refusal is always a :class:`ValidationError` (or another ``DataAccessError``) with a Chinese
message, never a raw ``TypeError`` or database error, and nothing is written.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.db import transaction
from data_access.errors import ValidationError, VersionConflict
from data_access.models import PROJECT_STATUSES, Department, Indicator, Milestone, Observation, Project, Region, User
from data_access.policy import ALLOWED, Action, Viewer, allowed, require
from data_access.scope import as_id, can_take_on, checked_id, refusal, require_project_in_scope
from scoring.periods import add_months

PROJECT_EDITABLE = frozenset(
    {"name_zh", "name_en", "status", "planned_start", "planned_end", "actual_start", "actual_end", "budget",
     "manager_id", "department_id", "lat", "lon"}
)
MILESTONE_EDITABLE = frozenset({"name_zh", "name_en", "planned_start", "planned_end", "actual_end",
                                "percent_complete", "owner_id"})
NAME_LIMITS = {"name_zh": (120, "中文名称"), "name_en": (200, "英文名称")}  # Project/Milestone column sizes
PLAN_SERIES = frozenset({"PROG_PLAN", "SPEND_PLAN"})  # the plan a project is measured against
MAX_AMOUNT = 10**10  # 万元 (= 10¹⁴ CNY, the largest budget Numeric(16, 2) holds); spend above it is a typo
SERIES_RANGES = {"PROG_ACTUAL": (0.0, 100.0), "PROG_PLAN": (0.0, 100.0),
                 "SPEND_CUM": (0.0, MAX_AMOUNT), "SPEND_PLAN": (0.0, MAX_AMOUNT)}
MAX_VALUE = 1e13  # any other indicator: finite and below this in size
EARLIEST_PERIOD = dt.date(2000, 1, 1)
SOURCES = frozenset({"manual", "import"})


def _row_dict(row: Any, fields: frozenset[str] | set[str]) -> dict[str, Any]:
    return {field: getattr(row, field) for field in sorted(fields)}


def _reject_unknown(changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(unknown)}",
                              message_zh=f"以下字段不可修改：{'、'.join(unknown)}")


def _is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _number(value: object, what: str, what_zh: str) -> float:
    """A finite real number (int, float, Decimal, numpy); text, bools and None are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) and not hasattr(value, "__float__"):
        raise ValidationError(f"{what} {value!r:.40} is not a number", message_zh=f"{what_zh}不是有效数字")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not math.isfinite(number):
        raise ValidationError(f"{what} {value!r:.40} is not a finite number", message_zh=f"{what_zh}不是有效数字")
    return number


def _check_fields(merged: dict[str, Any], dates: tuple[str, ...], optional_dates: tuple[str, ...]) -> None:
    """Names (non-empty text within the column size) and dates (``datetime.date``) of a project or milestone."""
    for field, (limit, field_zh) in NAME_LIMITS.items():
        value = merged[field]
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise ValidationError(f"{field} must be text of 1–{limit} characters",
                                  message_zh=f"{field_zh}须为 1–{limit} 个字符的文字")
    for field in dates + optional_dates:
        if not (_is_date(merged[field]) or field in optional_dates and merged[field] is None):
            raise ValidationError(f"{field} must be a date", message_zh=f"日期字段 {field} 须为日期")


def _validate_project(merged: dict[str, Any]) -> None:
    _check_fields(merged, ("planned_start", "planned_end"), ("actual_start", "actual_end"))
    for field, bound in (("lat", 90), ("lon", 180)):
        if not -bound <= _number(merged[field], field, "坐标") <= bound:
            raise ValidationError(f"{field} is outside ±{bound}", message_zh=f"坐标 {field} 超出 ±{bound}")
    if merged["status"] not in PROJECT_STATUSES:
        raise ValidationError(f"Unknown status {merged['status']!r}", message_zh=f"未知的项目状态 {merged['status']!r}")
    if merged["planned_end"] < merged["planned_start"]:
        raise ValidationError("Planned end is before planned start", message_zh="计划完成日期早于计划开工日期")
    if merged["actual_start"] and merged["actual_end"] and merged["actual_end"] < merged["actual_start"]:
        raise ValidationError("Actual end is before actual start", message_zh="实际完成日期早于实际开工日期")
    try:
        budget = Decimal(str(merged["budget"])) if not isinstance(merged["budget"], bool) else Decimal("nan")
    except InvalidOperation as exc:
        raise ValidationError(f"Budget {merged['budget']!r:.40} is not a number",
                              message_zh=f"预算 {merged['budget']!r:.40} 不是有效数字") from exc
    if not budget.is_finite():
        raise ValidationError("Budget is not a number", message_zh="预算不是有效数字")
    if budget < 0:
        raise ValidationError("Budget must be zero or more", message_zh="预算不能为负数")
    if budget >= MAX_AMOUNT * 10_000:
        raise ValidationError("Budget is implausibly large", message_zh="预算数额超出合理范围")
    merged["budget"] = budget.quantize(Decimal("0.01"))


def _manager_home(session: Session, user_id: int) -> str | None:
    """The region a project manager works in: their own region, or the smallest region holding every
    project they manage now (None for a new manager without either)."""
    own = session.execute(select(Region.path).join(User, User.region_id == Region.id)
                          .where(User.id == user_id)).scalar()
    if own is not None:
        return own
    paths = session.execute(select(Region.path).join(Project, Project.region_id == Region.id)
                            .where(Project.manager_id == user_id).distinct()).scalars().all()
    if not paths:
        return None
    parts = [path.strip("/").split("/") for path in paths]
    common = [level[0] for level in zip(*parts, strict=False) if len(set(level)) == 1]
    return "/" + "".join(f"{part}/" for part in common) if common else "/"


def _check_manager(session: Session, project: Project, manager_id: object) -> None:
    """A project's manager is an active project manager working where the project is.

    Making someone the manager gives them the project, so a manager from another city (or an official, or a
    deactivated user) is refused.
    """
    if manager_id is None:
        return
    manager_id = as_id(manager_id)
    role = session.execute(select(User.role).where(User.id == manager_id, User.is_active.is_(True))).scalar()
    project_path = session.execute(select(Region.path).where(Region.id == project.region_id)).scalar_one()
    home = _manager_home(session, manager_id) if role == "project_manager" else None
    if role != "project_manager" or home is not None and not project_path.startswith(home):
        raise ValidationError("The manager must be an active project manager working in the project's region",
                              message_zh="项目经理须为在职、且在该项目所在地区工作的项目经理")


def _check_department(session: Session, project: Project, department_id: object) -> None:
    """A project's department belongs to the project's region or one above it."""
    if department_id is None:
        return
    department_id = checked_id(department_id, "department")
    path = session.execute(select(Region.path).join(Department, Department.region_id == Region.id)
                           .where(Department.id == department_id)).scalar()
    project_path = session.execute(select(Region.path).where(Region.id == project.region_id)).scalar_one()
    if path is None or not project_path.startswith(path):
        raise ValidationError("The department does not belong to the project's region",
                              message_zh="所选部门不属于该项目所在地区")


def _require_scope_before_writing(engine: Engine, actor: Viewer, project_id: int) -> None:
    """Check (and audit a refusal) before the write transaction; the transaction re-checks unaudited."""
    with Session(engine) as session:
        require_project_in_scope(session, actor, project_id)


def _check_version(session: Session, model: type, object_id: int, expected_version: int, values: dict) -> None:
    result = session.execute(
        update(model)
        .where(model.id == object_id, model.version == expected_version)
        .values(**values, version=model.version + 1)
    )
    if result.rowcount != 1:
        raise VersionConflict(
            f"{model.__name__} {object_id} was changed by someone else since you opened it; reload and try again",
            message_zh="该记录已被他人修改，请刷新后重试（您的修改未保存）",
        )


def update_project(
    engine: Engine, actor: Viewer, project_id: int, expected_version: int, changes: Mapping[str, Any]
) -> int:
    """Change a project's fields; returns the new version.

    Allowed for admins and for district officials within their region; a project manager edits progress
    and milestones instead. Raises PermissionDenied, NotFound, ValidationError or VersionConflict.
    """
    require(actor, Action.EDIT_PROJECT)
    _reject_unknown(changes, PROJECT_EDITABLE)
    _require_scope_before_writing(engine, actor, project_id)
    with transaction(engine) as session:
        require_project_in_scope(session, actor, project_id, audit_refusal=False)
        project = session.get(Project, project_id)
        before = _row_dict(project, set(changes))
        merged = {**_row_dict(project, PROJECT_EDITABLE), **changes}
        _validate_project(merged)
        if "manager_id" in changes:
            _check_manager(session, project, changes["manager_id"])
        if "department_id" in changes:
            _check_department(session, project, changes["department_id"])
        values = {field: merged[field] for field in changes} | {"updated_at": dt.datetime.now(dt.UTC)}
        _check_version(session, Project, project_id, expected_version, values)
        audit.append(session, actor=actor, action="project.update", entity="project", entity_id=project_id,
                     before=before, after={field: merged[field] for field in changes})
    return expected_version + 1


def _scoped_milestone(session: Session, actor: Viewer, milestone_id: int, *, audit_refusal: bool = True
                      ) -> Milestone:
    """The milestone, or one refusal for an unknown id and for a milestone of a project out of scope."""
    milestone = session.get(Milestone, milestone_id)
    if milestone is None:
        raise refusal("milestone")
    require_project_in_scope(session, actor, milestone.project_id, audit_refusal=audit_refusal, kind="milestone")
    return milestone


def update_milestone(
    engine: Engine, actor: Viewer, milestone_id: int, expected_version: int, changes: Mapping[str, Any]
) -> int:
    """Change a milestone (progress, dates, owner); returns the new version."""
    require(actor, Action.EDIT_MILESTONES)
    _reject_unknown(changes, MILESTONE_EDITABLE)
    milestone_id = checked_id(milestone_id, "milestone")
    with Session(engine) as session:
        _scoped_milestone(session, actor, milestone_id)
    with transaction(engine) as session:
        milestone = _scoped_milestone(session, actor, milestone_id, audit_refusal=False)
        merged = {**_row_dict(milestone, MILESTONE_EDITABLE), **changes}
        _check_fields(merged, ("planned_start", "planned_end"), ("actual_end",))
        if not 0 <= _number(merged["percent_complete"], "Percent complete", "完成百分比") <= 100:
            raise ValidationError("Percent complete must be between 0 and 100",
                                  message_zh="完成百分比须在 0 到 100 之间")
        if merged["planned_end"] < merged["planned_start"]:
            raise ValidationError("Planned end is before planned start", message_zh="计划完成日期早于计划开始日期")
        if changes.get("owner_id") is not None and not can_take_on(session, changes["owner_id"],
                                                                    milestone.project_id,
                                                                    ALLOWED[Action.OWN_MILESTONE]):
            raise ValidationError("The owner must be an active admin, official or project manager who can see "
                                  "this project", message_zh="负责人须为能查看该项目的在职管理员、区县专员或项目经理")
        before = _row_dict(milestone, set(changes))
        _check_version(session, Milestone, milestone_id, expected_version, dict(changes))
        audit.append(session, actor=actor, action="milestone.update", entity="milestone", entity_id=milestone_id,
                     before=before, after=dict(changes))
    return expected_version + 1


def _latest_period() -> dt.date:
    """Plans may be entered up to a year ahead; nothing later is plausible."""
    return add_months(dt.date.today(), 12)


def _check_period(period: object) -> dt.date:
    if not _is_date(period):
        raise ValidationError(f"Period {period!r:.40} must be a date", message_zh="期间须为日期")
    if period.day != 1:
        raise ValidationError(f"Period {period} must be the first day of a month",
                              message_zh=f"期间 {period} 须为当月第一天")
    latest = _latest_period()
    if not EARLIEST_PERIOD <= period <= latest:
        raise ValidationError(f"Period {period:%Y-%m} is outside {EARLIEST_PERIOD:%Y-%m} … {latest:%Y-%m}",
                              message_zh=f"期间 {period:%Y-%m} 须在 {EARLIEST_PERIOD:%Y-%m} 至 {latest:%Y-%m} 之间")
    return period


def _check_value(actor: Viewer, code: object, value: object) -> float:
    """One reported value: a known kind of series the actor may write, a finite number in its range."""
    if not isinstance(code, str) or not 0 < len(code) <= 30:
        raise ValidationError(f"Unknown indicator {code!r:.40}", message_zh=f"未知指标 {code!r:.40}")
    if code in PLAN_SERIES and not allowed(actor, Action.SET_PLAN):
        raise ValidationError(f"{code} is a plan: it is set by officials, analysts or admins",
                              message_zh=f"{code} 是计划值，只能由区县专员、分析员或管理员填报")
    number = _number(value, f"Value of {code}", f"{code} 的数值")
    low, high = SERIES_RANGES.get(code, (-MAX_VALUE, MAX_VALUE))
    if not low <= number <= high:
        raise ValidationError(f"{code} must be between {low:g} and {high:g}, got {number:g}",
                              message_zh=f"{code} 须在 {low:g} 到 {high:g} 之间（填写的是 {number:g}）")
    return number


def record_report(
    engine: Engine,
    actor: Viewer,
    *,
    project_id: int,
    period: dt.date,
    values: Mapping[str, object],
    source: str = "manual",
) -> dict[str, float]:
    """Enter (or correct) a whole monthly report — several indicators of one project — in ONE transaction.

    Every value is checked before anything is written, so a report is stored entirely or not at all; each
    replaced value goes to the audit log. Returns what was stored ({indicator code: value}).
    """
    require(actor, Action.REPORT_PROGRESS)
    period = _check_period(period)
    if source not in SOURCES:
        raise ValidationError(f"Unknown source {source!r:.20}", message_zh="未知的数据来源")
    if not isinstance(values, Mapping) or not values:
        raise ValidationError("The report is empty: enter at least one value", message_zh="未填写任何数值")
    checked = {code: _check_value(actor, code, value) for code, value in values.items()}
    _require_scope_before_writing(engine, actor, project_id)
    with transaction(engine) as session:
        require_project_in_scope(session, actor, project_id, audit_refusal=False)
        indicator_ids = dict(session.execute(
            select(Indicator.code, Indicator.id).where(Indicator.code.in_(list(checked)), Indicator.level == 3)
        ).all())
        unknown = sorted(set(checked) - set(indicator_ids))
        if unknown:
            raise ValidationError(f"Unknown indicator {unknown[0]!r}", message_zh=f"未知指标 {unknown[0]!r}")
        now = dt.datetime.now(dt.UTC)
        for code, value in checked.items():
            existing = session.execute(
                select(Observation).where(Observation.project_id == project_id,
                                          Observation.indicator_id == indicator_ids[code], Observation.period == period)
            ).scalar_one_or_none()
            before = None if existing is None else {"value": existing.value, "source": existing.source}
            if existing is None:
                session.add(Observation(project_id=project_id, indicator_id=indicator_ids[code], period=period,
                                        value=value, source=source, entered_by=actor.user_id, entered_at=now))
            else:
                existing.value, existing.source, existing.entered_by, existing.entered_at = (
                    value, source, actor.user_id, now)
            audit.append(session, actor=actor, action="observation.record", entity="observation",
                         entity_id=f"{project_id}/{code}/{period:%Y-%m}", before=before,
                         after={"value": value, "source": source})
    return checked


def record_observation(
    engine: Engine,
    actor: Viewer,
    *,
    project_id: int,
    indicator_code: str,
    period: dt.date,
    value: float,
    source: str = "manual",
) -> None:
    """Enter (or correct) one value for a project, indicator and month; the old value goes to the audit log."""
    record_report(engine, actor, project_id=project_id, period=period, values={indicator_code: value}, source=source)
