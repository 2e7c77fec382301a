"""Scoped writes: permission check, validation, optimistic locking and audit in one transaction.

Each function takes the acting viewer and the version the caller last read. The UPDATE matches on that
version; if someone saved in between, nothing is written and :class:`VersionConflict` says so.
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
from data_access.errors import NotFound, ValidationError, VersionConflict
from data_access.models import PROJECT_STATUSES, Indicator, Milestone, Observation, Project
from data_access.scope import (
    PROGRESS_ENTRY_ROLES,
    PROJECT_EDIT_ROLES,
    Viewer,
    require_project_in_scope,
    require_role,
)

PROJECT_EDITABLE = frozenset(
    {"name_zh", "name_en", "status", "planned_start", "planned_end", "actual_start", "actual_end", "budget",
     "manager_id", "department_id", "lat", "lon"}
)
MILESTONE_EDITABLE = frozenset({"name_zh", "name_en", "planned_start", "planned_end", "actual_end",
                                "percent_complete", "owner_id"})


def _row_dict(row: Any, fields: frozenset[str] | set[str]) -> dict[str, Any]:
    return {field: getattr(row, field) for field in sorted(fields)}


def _reject_unknown(changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(unknown)}",
                              message_zh=f"以下字段不可修改：{'、'.join(unknown)}")


def _validate_project(merged: dict[str, Any]) -> None:
    if merged["status"] not in PROJECT_STATUSES:
        raise ValidationError(f"Unknown status {merged['status']!r}", message_zh=f"未知的项目状态 {merged['status']!r}")
    if merged["planned_end"] < merged["planned_start"]:
        raise ValidationError("Planned end is before planned start", message_zh="计划完成日期早于计划开工日期")
    if merged["actual_start"] and merged["actual_end"] and merged["actual_end"] < merged["actual_start"]:
        raise ValidationError("Actual end is before actual start", message_zh="实际完成日期早于实际开工日期")
    try:
        budget = Decimal(str(merged["budget"]))
    except InvalidOperation as exc:
        raise ValidationError(f"Budget {merged['budget']!r} is not a number",
                              message_zh=f"预算 {merged['budget']!r} 不是有效数字") from exc
    if not budget.is_finite() or budget < 0:
        raise ValidationError("Budget must be zero or more", message_zh="预算不能为负数")
    merged["budget"] = budget.quantize(Decimal("0.01"))


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
    require_role(actor, PROJECT_EDIT_ROLES - {"project_manager"}, "edit projects", "修改项目信息")
    _reject_unknown(changes, PROJECT_EDITABLE)
    _require_scope_before_writing(engine, actor, project_id)
    with transaction(engine) as session:
        require_project_in_scope(session, actor, project_id, audit_refusal=False)
        project = session.get(Project, project_id)
        before = _row_dict(project, set(changes))
        merged = {**_row_dict(project, PROJECT_EDITABLE), **changes}
        _validate_project(merged)
        values = {field: merged[field] for field in changes} | {"updated_at": dt.datetime.now(dt.timezone.utc)}
        _check_version(session, Project, project_id, expected_version, values)
        audit.append(session, actor=actor, action="project.update", entity="project", entity_id=project_id,
                     before=before, after={field: merged[field] for field in changes})
    return expected_version + 1


def update_milestone(
    engine: Engine, actor: Viewer, milestone_id: int, expected_version: int, changes: Mapping[str, Any]
) -> int:
    """Change a milestone (progress, dates, owner); returns the new version."""
    require_role(actor, PROJECT_EDIT_ROLES, "edit milestones", "修改里程碑")
    _reject_unknown(changes, MILESTONE_EDITABLE)
    with Session(engine) as session:
        milestone = session.get(Milestone, milestone_id)
        if milestone is not None:
            require_project_in_scope(session, actor, milestone.project_id)
    with transaction(engine) as session:
        milestone = session.get(Milestone, milestone_id)
        if milestone is None:
            raise NotFound(f"Milestone {milestone_id} does not exist", message_zh=f"里程碑 {milestone_id} 不存在")
        require_project_in_scope(session, actor, milestone.project_id, audit_refusal=False)
        merged = {**_row_dict(milestone, MILESTONE_EDITABLE), **changes}
        if not 0 <= float(merged["percent_complete"]) <= 100:
            raise ValidationError("Percent complete must be between 0 and 100", message_zh="完成百分比须在 0 到 100 之间")
        if merged["planned_end"] < merged["planned_start"]:
            raise ValidationError("Planned end is before planned start", message_zh="计划完成日期早于计划开始日期")
        before = _row_dict(milestone, set(changes))
        _check_version(session, Milestone, milestone_id, expected_version, dict(changes))
        audit.append(session, actor=actor, action="milestone.update", entity="milestone", entity_id=milestone_id,
                     before=before, after=dict(changes))
    return expected_version + 1


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
    require_role(actor, PROGRESS_ENTRY_ROLES, "enter progress data", "填报进度数据")
    if period.day != 1:
        raise ValidationError(f"Period {period} must be the first day of a month",
                              message_zh=f"期间 {period} 须为当月第一天")
    if value is None or not math.isfinite(float(value)):
        raise ValidationError(f"Value {value!r} is not a finite number", message_zh=f"数值 {value!r} 不是有效数字")
    _require_scope_before_writing(engine, actor, project_id)
    with transaction(engine) as session:
        require_project_in_scope(session, actor, project_id, audit_refusal=False)
        indicator_id = session.execute(
            select(Indicator.id).where(Indicator.code == indicator_code, Indicator.level == 3)
        ).scalar_one_or_none()
        if indicator_id is None:
            raise ValidationError(f"Unknown indicator {indicator_code!r}", message_zh=f"未知指标 {indicator_code!r}")
        existing = session.execute(
            select(Observation).where(Observation.project_id == project_id, Observation.indicator_id == indicator_id,
                                      Observation.period == period)
        ).scalar_one_or_none()
        now = dt.datetime.now(dt.timezone.utc)
        before = None if existing is None else {"value": existing.value, "source": existing.source}
        if existing is None:
            session.add(Observation(project_id=project_id, indicator_id=indicator_id, period=period,
                                    value=float(value), source=source, entered_by=actor.user_id, entered_at=now))
        else:
            existing.value, existing.source, existing.entered_by, existing.entered_at = (
                float(value), source, actor.user_id, now)
        audit.append(session, actor=actor, action="observation.record", entity="observation",
                     entity_id=f"{project_id}/{indicator_code}/{period:%Y-%m}", before=before,
                     after={"value": float(value), "source": source})
