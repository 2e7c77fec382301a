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
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data_access import audit
from data_access.db import transaction
from data_access.errors import ValidationError
from data_access.models import Indicator, Milestone, Observation, Project, Region
from data_access.policy import Action, Viewer, allowed, require
from data_access.project_checks import (
    MAX_AMOUNT,
    check_milestone,
    check_version,
    department_problem,
    description_problem,
    is_date,
    manager_problem,
    number,
    raise_first,
    region_path,
    reject_unknown,
    require_scope_before_writing,
    row_dict,
    site_problem,
    validate_project,
)
from data_access.scope import checked_id, refusal, require_project_in_scope
from scoring.periods import add_months

PROJECT_EDITABLE = frozenset(
    {"name_zh", "name_en", "status", "planned_start", "planned_end", "actual_start", "actual_end", "budget",
     "manager_id", "department_id", "lat", "lon", "description"}
)
MILESTONE_EDITABLE = frozenset({"name_zh", "name_en", "planned_start", "planned_end", "actual_end",
                                "percent_complete", "owner_id"})
PLAN_SERIES = frozenset({"PROG_PLAN", "SPEND_PLAN"})  # the plan a project is measured against
SERIES_RANGES = {"PROG_ACTUAL": (0.0, 100.0), "PROG_PLAN": (0.0, 100.0),
                 "SPEND_CUM": (0.0, MAX_AMOUNT), "SPEND_PLAN": (0.0, MAX_AMOUNT)}
MAX_VALUE = 1e13  # any other indicator: finite and below this in size
EARLIEST_PERIOD = dt.date(2000, 1, 1)
SOURCES = frozenset({"manual", "import"})


def update_project(
    engine: Engine, actor: Viewer, project_id: int, expected_version: int, changes: Mapping[str, Any]
) -> int:
    """Change a project's fields; returns the new version.

    Allowed for admins and for district officials within their region; a project manager edits progress
    and milestones instead. Raises PermissionDenied, NotFound, ValidationError or VersionConflict.
    """
    require(actor, Action.EDIT_PROJECT)
    reject_unknown(changes, PROJECT_EDITABLE)
    require_scope_before_writing(engine, actor, project_id)
    with transaction(engine) as session:
        require_project_in_scope(session, actor, project_id, audit_refusal=False)
        project = session.get(Project, project_id)
        before = row_dict(project, set(changes))
        merged = {**row_dict(project, PROJECT_EDITABLE), **changes}
        validate_project(merged)
        path = region_path(session, project.region_id)
        problems = [
            manager_problem(session, path, changes["manager_id"]) if "manager_id" in changes else None,
            department_problem(session, path, changes["department_id"]) if "department_id" in changes else None,
            site_problem(session.get(Region, project.region_id), merged["lat"], merged["lon"])
            if {"lat", "lon"} & set(changes) else None,
            description_problem(merged["description"]),
        ]
        raise_first([problem for problem in problems if problem])
        values = {field: merged[field] for field in changes} | {"updated_at": dt.datetime.now(dt.UTC)}
        check_version(session, Project, project_id, expected_version, values)
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
    reject_unknown(changes, MILESTONE_EDITABLE)
    milestone_id = checked_id(milestone_id, "milestone")
    with Session(engine) as session:
        _scoped_milestone(session, actor, milestone_id)
    with transaction(engine) as session:
        milestone = _scoped_milestone(session, actor, milestone_id, audit_refusal=False)
        merged = {**row_dict(milestone, MILESTONE_EDITABLE), **changes}
        check_milestone(session, merged, milestone.project_id, owner_changed="owner_id" in changes)
        before = row_dict(milestone, set(changes))
        check_version(session, Milestone, milestone_id, expected_version, dict(changes))
        audit.append(session, actor=actor, action="milestone.update", entity="milestone", entity_id=milestone_id,
                     before=before, after=dict(changes))
    return expected_version + 1


def _latest_period() -> dt.date:
    """Plans may be entered up to a year ahead; nothing later is plausible."""
    return add_months(dt.date.today(), 12)


def check_period(period: object) -> dt.date:
    """A reporting period: the first day of a month between 2000-01 and a year from now."""
    if not is_date(period):
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
    checked = number(value, f"Value of {code}", f"{code} 的数值")
    low, high = SERIES_RANGES.get(code, (-MAX_VALUE, MAX_VALUE))
    if not low <= checked <= high:
        raise ValidationError(f"{code} must be between {low:,.15g} and {high:,.15g}, got {checked:,.15g}",
                              message_zh=f"{code} 须在 {low:,.15g} 到 {high:,.15g} 之间（填写的是 {checked:,.15g}）")
    return checked


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
    period = check_period(period)
    if source not in SOURCES:
        raise ValidationError(f"Unknown source {source!r:.20}", message_zh="未知的数据来源")
    if not isinstance(values, Mapping) or not values:
        raise ValidationError("The report is empty: enter at least one value", message_zh="未填写任何数值")
    checked = {code: _check_value(actor, code, value) for code, value in values.items()}
    require_scope_before_writing(engine, actor, project_id)
    with transaction(engine) as session:
        require_project_in_scope(session, actor, project_id, audit_refusal=False)
        indicator_ids = dict(session.execute(
            select(Indicator.code, Indicator.id).where(Indicator.code.in_(list(checked)), Indicator.level == 3)
        ).all())
        unknown = sorted(set(checked) - set(indicator_ids))
        if unknown:
            raise ValidationError(f"Unknown indicator {unknown[0]!r}", message_zh=f"未知指标 {unknown[0]!r}")
        store_observations(session, actor, project_id=project_id, period=period, values=checked,
                           indicator_ids=indicator_ids, source=source, entered_by=actor.user_id)
    return checked


def store_observations(session: Session, actor: Viewer, *, project_id: int, period: dt.date,
                       values: Mapping[str, float], indicator_ids: Mapping[str, int], source: str,
                       entered_by: int | None) -> None:
    """Insert or replace checked values of one project and month inside the caller's transaction.

    Each value gets its audit entry with what it replaced (before/after). ``entered_by`` is who the value comes
    from: the actor for a direct entry, the reporter when an official accepts a monthly report.
    """
    now = dt.datetime.now(dt.UTC)
    for code, value in values.items():
        existing = session.execute(
            select(Observation).where(Observation.project_id == project_id,
                                      Observation.indicator_id == indicator_ids[code], Observation.period == period)
        ).scalar_one_or_none()
        before = None if existing is None else {"value": existing.value, "source": existing.source}
        if existing is None:
            session.add(Observation(project_id=project_id, indicator_id=indicator_ids[code], period=period,
                                    value=value, source=source, entered_by=entered_by, entered_at=now))
        else:
            existing.value, existing.source, existing.entered_by, existing.entered_at = (value, source, entered_by, now)
        audit.append(session, actor=actor, action="observation.record", entity="observation",
                     entity_id=f"{project_id}/{code}/{period:%Y-%m}", before=before,
                     after={"value": value, "source": source})


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
