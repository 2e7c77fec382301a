"""The rules a project's values obey, shared by the edit form (writes), the register and the importer.

Field rules (:func:`field_problems`) need no database; the people, department and site rules read the regions
and users inside the caller's session. Each rule reports a :data:`Problem` — the column, and what is wrong in
Chinese and English — so the register and the importer can show every problem of a row at once, while a plain
write raises the first one (:func:`raise_first`).
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from data_access.errors import ValidationError, VersionConflict
from data_access.models import PROJECT_STATUSES, Department, Project, Region, User
from data_access.policy import ALLOWED, Action, Viewer
from data_access.scope import as_id, can_take_on, require_project_in_scope
from scoring.geo import haversine_km

Problem = tuple[str, str, str]  # (column, message in Chinese, message in English)

NAME_LIMITS = {"name_zh": (120, "中文名称"), "name_en": (200, "英文名称")}  # Project/Milestone column sizes
MAX_AMOUNT = 10**10  # 万元 (= 10¹⁴ CNY, the largest budget Numeric(16, 2) holds); spend above it is a typo
DESCRIPTION_LIMIT = 2000  # characters of a project's description
SITE_MARGIN = 1.2  # a region's radius_km is approximate: a site may lie up to 20 % beyond it


def row_dict(row: Any, fields: frozenset[str] | set[str]) -> dict[str, Any]:
    return {field: getattr(row, field) for field in sorted(fields)}


def reject_unknown(changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(unknown)}",
                              message_zh=f"以下字段不可修改：{'、'.join(unknown)}")


def raise_first(problems: list[Problem]) -> None:
    """Refuse with the first problem, as a :class:`ValidationError` (nothing when there is none)."""
    if problems:
        _, chinese, english = problems[0]
        raise ValidationError(english, message_zh=chinese)


def is_date(value: object) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def number(value: object, what: str, what_zh: str) -> float:
    """A finite real number (int, float, Decimal, numpy); text, bools and None are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) and not hasattr(value, "__float__"):
        raise ValidationError(f"{what} {value!r:.40} is not a number", message_zh=f"{what_zh}不是有效数字")
    try:
        result = float(value)
    except (TypeError, ValueError, OverflowError):
        result = math.nan
    if not math.isfinite(result):
        raise ValidationError(f"{what} {value!r:.40} is not a finite number", message_zh=f"{what_zh}不是有效数字")
    return result


def _as_problem(column: str, error: ValidationError) -> Problem:
    return column, error.message_zh, str(error)


def name_and_date_problems(merged: Mapping[str, Any], dates: tuple[str, ...],
                           optional_dates: tuple[str, ...]) -> list[Problem]:
    """Names (non-empty text within the column size) and dates (``datetime.date``) of a project or milestone."""
    problems = []
    for field, (limit, field_zh) in NAME_LIMITS.items():
        value = merged.get(field)
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            problems.append((field, f"{field_zh}须为 1–{limit} 个字符的文字",
                             f"{field} must be text of 1–{limit} characters"))
    for field in dates + optional_dates:
        value = merged.get(field)
        if not (is_date(value) or field in optional_dates and value is None):
            problems.append((field, f"日期字段 {field} 须为日期", f"{field} must be a date"))
    return problems


def check_milestone(session: Session, merged: Mapping[str, Any], project_id: int, *, owner_changed: bool) -> None:
    """A milestone's names, dates (end not before start), percent complete (0–100) and owner (an active admin,
    official or project manager who can see the project; checked when it changes)."""
    raise_first(name_and_date_problems(merged, ("planned_start", "planned_end"), ("actual_end",)))
    if not 0 <= number(merged["percent_complete"], "Percent complete", "完成百分比") <= 100:
        raise ValidationError("Percent complete must be between 0 and 100", message_zh="完成百分比须在 0 到 100 之间")
    if merged["planned_end"] < merged["planned_start"]:
        raise ValidationError("Planned end is before planned start", message_zh="计划完成日期早于计划开始日期")
    if owner_changed and merged["owner_id"] is not None and not can_take_on(
            session, merged["owner_id"], project_id, ALLOWED[Action.OWN_MILESTONE]):
        raise ValidationError("The owner must be an active admin, official or project manager who can see "
                              "this project", message_zh="负责人须为能查看该项目的在职管理员、区县专员或项目经理")


def exact_budget(value: object) -> tuple[Decimal | None, Problem | None]:
    """The budget (CNY) as an exact ``Decimal`` of whole fen, or the problem with it.

    Floats go through their shortest text (0.1 stays 0.1); a third decimal place is refused rather than
    rounded away, so what is stored is exactly what was typed.
    """
    try:
        budget = Decimal(str(value)) if not isinstance(value, bool) and value is not None else Decimal("nan")
    except InvalidOperation:
        return None, ("budget", f"预算 {value!r:.40} 不是有效数字", f"Budget {value!r:.40} is not a number")
    if not budget.is_finite():
        return None, ("budget", "预算不是有效数字", "Budget is not a number")
    if budget < 0:
        return None, ("budget", "预算不能为负数", "Budget must be zero or more")
    if budget >= MAX_AMOUNT * 10_000:
        return None, ("budget", "预算数额超出合理范围", "Budget is implausibly large")
    if budget != budget.quantize(Decimal("0.01")):
        return None, ("budget", "预算最多精确到分（两位小数）", "Budget has more than two decimal places (fen)")
    return budget.quantize(Decimal("0.01")), None


def field_problems(merged: dict[str, Any]) -> list[Problem]:
    """Every problem of a project's own fields; a good budget is replaced by its exact ``Decimal``."""
    problems = name_and_date_problems(merged, ("planned_start", "planned_end"), ("actual_start", "actual_end"))
    for field, bound in (("lat", 90), ("lon", 180)):
        try:
            if not -bound <= number(merged.get(field), field, "坐标") <= bound:
                problems.append((field, f"坐标 {field} 超出 ±{bound}", f"{field} is outside ±{bound}"))
        except ValidationError as error:
            problems.append(_as_problem(field, error))
    status = merged.get("status")
    if status not in PROJECT_STATUSES:
        problems.append(("status", f"未知的项目状态 {status!r:.40}", f"Unknown status {status!r:.40}"))
    start, end = merged.get("planned_start"), merged.get("planned_end")
    if is_date(start) and is_date(end) and end < start:
        problems.append(("planned_end", "计划完成日期早于计划开工日期", "Planned end is before planned start"))
    start, end = merged.get("actual_start"), merged.get("actual_end")
    if is_date(start) and is_date(end) and end < start:
        problems.append(("actual_end", "实际完成日期早于实际开工日期", "Actual end is before actual start"))
    budget, problem = exact_budget(merged.get("budget"))
    if problem:
        problems.append(problem)
    else:
        merged["budget"] = budget
    return problems


def validate_project(merged: dict[str, Any]) -> None:
    """Raise the first problem of a project's own fields; a good budget becomes its exact ``Decimal``."""
    raise_first(field_problems(merged))


def description_problem(value: object) -> Problem | None:
    """A description is optional text of at most :data:`DESCRIPTION_LIMIT` characters."""
    if value is None or isinstance(value, str) and len(value) <= DESCRIPTION_LIMIT:
        return None
    return ("description", f"项目简介须为不超过 {DESCRIPTION_LIMIT} 个字符的文字",
            f"The description must be text of at most {DESCRIPTION_LIMIT} characters")


def region_path(session: Session, region_id: int) -> str:
    return session.execute(select(Region.path).where(Region.id == region_id)).scalar_one()


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


def manager_problem(session: Session, project_path: str, manager_id: object) -> Problem | None:
    """A project's manager is an active project manager working where the project is.

    Making someone the manager gives them the project, so a manager from another city (or an official, or a
    deactivated user) is refused.
    """
    if manager_id is None:
        return None
    manager_id = as_id(manager_id)
    role = session.execute(select(User.role).where(User.id == manager_id, User.is_active.is_(True))).scalar()
    home = _manager_home(session, manager_id) if role == "project_manager" else None
    if role != "project_manager" or home is not None and not project_path.startswith(home):
        return ("manager_id", "项目经理须为在职、且在该项目所在地区工作的项目经理",
                "The manager must be an active project manager working in the project's region")
    return None


def department_problem(session: Session, project_path: str, department_id: object) -> Problem | None:
    """A project's department belongs to the project's region or one above it."""
    if department_id is None:
        return None
    department_id = as_id(department_id)  # not an id the database can hold: not this region's department
    path = session.execute(select(Region.path).join(Department, Department.region_id == Region.id)
                           .where(Department.id == department_id)).scalar()
    if path is None or not project_path.startswith(path):
        return ("department_id", "所选部门不属于该项目所在地区",
                "The department does not belong to the project's region")
    return None


def site_problem(region: Region, lat: float, lon: float) -> Problem | None:
    """A site lies within the region's radius (× :data:`SITE_MARGIN`); the message says how far off it is."""
    distance = float(haversine_km(region.lat, region.lon, lat, lon))
    limit = region.radius_km * SITE_MARGIN
    if distance <= limit:
        return None
    return ("lat", f"工地坐标距{region.name_zh}中心 {distance:.1f} 公里，超出该地区范围 {limit:.1f} 公里"
                   f"（多出 {distance - limit:.1f} 公里）",
            f"The site is {distance:.1f} km from the centre of {region.name_en}, beyond its {limit:.1f} km "
            f"extent by {distance - limit:.1f} km")


def require_scope_before_writing(engine: Engine, actor: Viewer, project_id: int) -> None:
    """Check (and audit a refusal) before the write transaction; the transaction re-checks unaudited."""
    with Session(engine) as session:
        require_project_in_scope(session, actor, project_id)


def check_version(session: Session, model: type, object_id: int, expected_version: int, values: dict) -> None:
    """Update the row only if it still has ``expected_version`` (moving it on by one); else VersionConflict."""
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
