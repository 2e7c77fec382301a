"""The project register (项目库): create projects, change their status, milestones and KPI targets.

Every write checks the role (``Action.EDIT_PROJECT``: admin, analyst, and a district official in their own
region) and the scope, runs in one transaction with its audit entry (before and after), and matches the
project's ``version`` where the change is to the project itself. :func:`project_problems` lists every problem
of a new or changed project at once — the importer shows them cell by cell, the register's form above it.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Row, func, insert, select, update
from sqlalchemy.orm import Session

from data_access import audit
from data_access.config import project_code_pattern
from data_access.db import transaction
from data_access.errors import ValidationError, VersionConflict
from data_access.models import (
    Category,
    CategoryTemplateItem,
    Department,
    Indicator,
    Milestone,
    Project,
    ProjectTarget,
    Region,
    User,
)
from data_access.policy import Action, Viewer, require
from data_access.project_checks import (
    Problem,
    check_milestone,
    check_version,
    department_problem,
    description_problem,
    field_problems,
    manager_problem,
    number,
    reject_unknown,
    require_scope_before_writing,
    row_dict,
    site_problem,
)
from data_access.scope import ARCHIVED, REFUSALS, as_id, checked_id, region_subtree_clause, require_project_in_scope
from data_access.writes import MILESTONE_EDITABLE, PROJECT_EDITABLE

PROJECT_FIELDS = PROJECT_EDITABLE | {"code", "category_id", "region_id"}
REQUIRED_ZH = {"code": "项目编号", "name_zh": "中文名称", "name_en": "英文名称", "category_id": "项目类别",
               "region_id": "所在地区", "planned_start": "计划开工日期", "planned_end": "计划完工日期",
               "budget": "预算", "lat": "纬度", "lon": "经度"}  # the fields a new project needs, named in Chinese
REQUIRED_FIELDS = tuple(REQUIRED_ZH)
CODE_LENGTH = 30  # Project.code's column size
NEW_PROJECT_DEFAULTS: Mapping[str, Any] = {"status": "planned", "actual_start": None, "actual_end": None,
                                           "department_id": None, "manager_id": None, "description": None}
# status → the statuses it may move to: suspend, resume, complete, archive, restore
TRANSITIONS: Mapping[str, frozenset[str]] = {
    "planned": frozenset({"active", "suspended", "archived"}),
    "active": frozenset({"suspended", "completed", "archived"}),
    "suspended": frozenset({"active", "completed", "archived"}),
    "completed": frozenset({"archived"}),
    ARCHIVED: frozenset({"planned", "active", "suspended", "completed"}),
}
STATUS_ZH = {"planned": "未开工", "active": "在建", "suspended": "暂停", "completed": "已完工", "archived": "已归档"}


class ProjectProblems(ValidationError):
    """A new or changed project has problems; ``problems`` lists every one (column, Chinese, English)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(english for _, _, english in problems),
                         message_zh="；".join(chinese for _, chinese, _ in problems))
        self.problems = list(problems)


# -- checks ----------------------------------------------------------------------------------------------
def _code_problems(session: Session, code: object, project_id: int | None) -> list[Problem]:
    if not isinstance(code, str) or not 0 < len(code) <= CODE_LENGTH:
        return [("code", f"项目编号须为 1–{CODE_LENGTH} 个字符",
                 f"The project code must be 1–{CODE_LENGTH} characters")]
    stored = session.execute(select(Project.code).where(Project.id == project_id)).scalar() if project_id else None
    if stored == code:
        return []  # a project keeps its code even if the pattern changed since it was made
    pattern = project_code_pattern()
    if not pattern.fullmatch(code):
        return [("code", f"项目编号 {code} 不符合格式 {pattern.pattern}",
                 f"The project code {code} does not match the pattern {pattern.pattern}")]
    taken = session.execute(select(Project.id).where(Project.code == code, Project.id != (project_id or 0))).first()
    if taken:
        return [("code", f"项目编号 {code} 已被使用", f"The project code {code} is already in use")]
    return []


def _scoped_region(session: Session, actor: Viewer, region_id: object) -> Region | None:
    """The region if it exists and lies inside the actor's scope (their district for an official)."""
    region_id = as_id(region_id)
    if region_id is None:
        return None
    return session.execute(select(Region).where(Region.id == region_id,
                                                region_subtree_clause(actor, Region.path))).scalar()


def project_problems(session: Session, actor: Viewer, fields: Mapping[str, Any], *,
                     project_id: int | None = None) -> list[tuple[str, str, str]]:
    """Every problem of a new project's fields (or a changed one's, given its ``project_id``), at once.

    Each problem is (column, Chinese, English). ``fields`` uses the project's columns (``category_id``,
    ``region_id``, ``department_id``, ``manager_id``; ``budget`` in CNY); missing optional ones take the
    defaults of a new project. A good budget is not converted here: :func:`create_project` does that.
    """
    unknown = sorted(set(fields) - PROJECT_FIELDS)
    problems: list[Problem] = [(name, f"未知字段 {name}", f"Unknown field {name}") for name in unknown]
    missing = [name for name in REQUIRED_FIELDS if fields.get(name) is None or fields.get(name) == ""]
    problems += [(name, f"请填写{REQUIRED_ZH[name]}", f"{name} is required") for name in missing]
    merged = {**NEW_PROJECT_DEFAULTS, **fields}
    problems += _code_problems(session, merged.get("code"), project_id) if "code" not in missing else []
    problems += [problem for problem in field_problems(dict(merged)) if problem[0] not in missing]
    if "category_id" not in missing and session.get(Category, as_id(merged["category_id"]) or 0) is None:
        problems.append(("category_id", "未知的项目类别", "Unknown project category"))
    region = _scoped_region(session, actor, merged.get("region_id"))
    if region is None and "region_id" not in missing:
        english, chinese = REFUSALS["region"]
        problems.append(("region_id", chinese, english))
    if region is not None:
        problems += [problem for problem in (
            department_problem(session, region.path, merged["department_id"]),
            manager_problem(session, region.path, merged["manager_id"]),
        ) if problem]
        coordinates_ok = not any(problem[0] in {"lat", "lon"} for problem in problems)
        if coordinates_ok and (problem := site_problem(region, float(merged["lat"]), float(merged["lon"]))):
            problems.append(problem)
    if problem := description_problem(merged["description"]):
        problems.append(problem)
    if merged["status"] == ARCHIVED and project_id is None:
        problems.append(("status", "新项目不能直接归档", "A new project cannot be archived"))
    return problems


# -- reads for the register's form ---------------------------------------------------------------------------
def category_template(engine: Engine, category_id: int) -> pd.DataFrame:
    """The KPIs a new project of the category gets: indicator_id, code, name_zh, name_en, weight, target_value
    (retired KPIs are left out)."""
    statement = (
        select(Indicator.id.label("indicator_id"), Indicator.code, Indicator.name_zh, Indicator.name_en,
               CategoryTemplateItem.weight, CategoryTemplateItem.target_value)
        .join(Indicator, Indicator.id == CategoryTemplateItem.indicator_id)
        .where(CategoryTemplateItem.category_id == checked_id(category_id, "category"),
               Indicator.retired_at.is_(None))
        .order_by(Indicator.sort_order, Indicator.id)
    )
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(statement).all(),
                            columns=["indicator_id", "code", "name_zh", "name_en", "weight", "target_value"])


def departments_for(engine: Engine, region_id: int) -> pd.DataFrame:
    """Departments a project in the region may belong to (the region's and those above it): id, name_zh,
    name_en."""
    with Session(engine) as session:
        path = session.execute(select(Region.path).where(Region.id == checked_id(region_id, "region"))).scalar()
        if path is None:
            return pd.DataFrame(columns=["id", "name_zh", "name_en"])
        rows = session.execute(select(Department.id, Department.name_zh, Department.name_en, Region.path)
                               .join(Region, Region.id == Department.region_id).order_by(Department.id)).all()
    return pd.DataFrame([row[:3] for row in rows if path.startswith(row.path)], columns=["id", "name_zh", "name_en"])


def managers_for(engine: Engine, region_id: int) -> pd.DataFrame:
    """Active project managers who may manage a project in the region: id, display_name."""
    with Session(engine) as session:
        path = session.execute(select(Region.path).where(Region.id == checked_id(region_id, "region"))).scalar()
        people = session.execute(select(User.id, User.display_name).where(
            User.role == "project_manager", User.is_active.is_(True)).order_by(User.display_name)).all()
        fitting = [tuple(person) for person in people
                   if path is not None and manager_problem(session, path, person.id) is None]
    return pd.DataFrame(fitting, columns=["id", "display_name"])


# -- project writes ---------------------------------------------------------------------------------------
def _template_items(session: Session, category_ids: Iterable[int]) -> dict[int, list[Row[Any]]]:
    """The usable template items of these categories, by category, in the library's order: one query.

    An item without a typical target is left out (a project target needs one), and so is a retired KPI."""
    items: dict[int, list[Row[Any]]] = {}
    statement = (
        select(CategoryTemplateItem.category_id, CategoryTemplateItem.indicator_id, Indicator.code,
               CategoryTemplateItem.weight, CategoryTemplateItem.target_value)
        .join(Indicator, Indicator.id == CategoryTemplateItem.indicator_id)
        .where(CategoryTemplateItem.category_id.in_(sorted(set(category_ids))), Indicator.retired_at.is_(None),
               CategoryTemplateItem.target_value.is_not(None))
        .order_by(Indicator.sort_order, Indicator.id))
    for item in session.execute(statement):
        items.setdefault(item.category_id, []).append(item)
    return items


def _template_targets(session: Session, project: Project) -> list[dict[str, Any]]:
    """Add the category template's KPIs the project lacks (never overwriting one); returns what was added."""
    existing = set(session.execute(select(ProjectTarget.indicator_id)
                                   .where(ProjectTarget.project_id == project.id)).scalars())
    added = []
    for item in _template_items(session, [project.category_id]).get(project.category_id, []):
        if item.indicator_id in existing:
            continue
        session.add(ProjectTarget(project_id=project.id, indicator_id=item.indicator_id,
                                  target_value=item.target_value, weight_override=item.weight))
        added.append({"indicator": item.code, "target_value": item.target_value, "weight": item.weight})
    return added


def add_template_targets(session: Session, project_ids: Sequence[int]) -> int:
    """Give projects that have no targets yet (an import's new ones) their category templates' targets, as the
    form gives a new project: one query for the templates and one insert, however many projects. Returns how
    many targets were added."""
    ids = list(project_ids)
    projects = [row for start in range(0, len(ids), 500) for row in session.execute(
        select(Project.id, Project.category_id).where(Project.id.in_(ids[start:start + 500])))]
    items = _template_items(session, {project.category_id for project in projects})
    rows = [{"project_id": project.id, "indicator_id": item.indicator_id, "target_value": item.target_value,
             "weight_override": item.weight} for project in projects for item in items.get(project.category_id, [])]
    if rows:
        session.execute(insert(ProjectTarget), rows)
    return len(rows)


def create_project(engine: Engine, actor: Viewer, fields: Mapping[str, Any], *, apply_template: bool = True) -> int:
    """Insert a project (status ``planned`` unless given) and, with ``apply_template``, its category template's
    KPI targets and weights, in one audited transaction; returns the new id. Every problem at once:
    :class:`ProjectProblems`."""
    require(actor, Action.EDIT_PROJECT)
    with transaction(engine) as session:
        problems = project_problems(session, actor, fields)
        if problems:
            raise ProjectProblems(problems)
        merged = {**NEW_PROJECT_DEFAULTS, **fields}
        field_problems(merged)  # makes the budget an exact Decimal
        for key in ("category_id", "region_id", "department_id", "manager_id"):
            merged[key] = as_id(merged[key])
        project = Project(**merged, updated_at=dt.datetime.now(dt.UTC))
        session.add(project)
        session.flush()
        added = _template_targets(session, project) if apply_template else []
        audit.append(session, actor=actor, action="project.create", entity="project", entity_id=project.id,
                     before=None, after={**row_dict(project, PROJECT_FIELDS), "template_targets": added})
        return project.id


def _project_in_transaction(session: Session, actor: Viewer, project_id: object) -> Project:
    project_id = checked_id(project_id, "project")
    require_project_in_scope(session, actor, project_id, audit_refusal=False)
    project = session.get(Project, project_id)
    assert project is not None  # checked just above
    return project


def set_project_status(engine: Engine, actor: Viewer, project_id: int, expected_version: int, status: str) -> int:
    """Suspend, resume, complete, archive or restore a project (only the moves in :data:`TRANSITIONS`);
    returns the new version. An archived project leaves every dashboard view but stays in the register."""
    require(actor, Action.EDIT_PROJECT)
    require_scope_before_writing(engine, actor, checked_id(project_id, "project"))
    with transaction(engine) as session:
        project = _project_in_transaction(session, actor, project_id)
        current = project.status
        if status not in TRANSITIONS.get(current, frozenset()):
            raise ValidationError(f"A {current} project cannot become {status!r:.20}",
                                  message_zh=f"项目当前为「{STATUS_ZH.get(current, current)}」，不能改为"
                                             f"「{STATUS_ZH.get(status, str(status)[:20])}」")
        check_version(session, Project, project.id, expected_version,
                      {"status": status, "updated_at": dt.datetime.now(dt.UTC)})
        audit.append(session, actor=actor, action="project.status", entity="project", entity_id=project.id,
                     before={"status": current}, after={"status": status})
    return expected_version + 1


def restored_status(project: Mapping[str, Any]) -> str:
    """The status an archived project returns to: completed if it ended, active if it started, else planned."""
    if project.get("actual_end") is not None and not pd.isna(project["actual_end"]):
        return "completed"
    if project.get("actual_start") is not None and not pd.isna(project["actual_start"]):
        return "active"
    return "planned"


def apply_category_template(engine: Engine, actor: Viewer, project_id: int) -> list[str]:
    """Give an existing project its category template's KPIs it lacks (never overwriting a target); returns
    the codes added."""
    require(actor, Action.EDIT_PROJECT)
    require_scope_before_writing(engine, actor, checked_id(project_id, "project"))
    with transaction(engine) as session:
        project = _project_in_transaction(session, actor, project_id)
        added = _template_targets(session, project)
        if added:
            audit.append(session, actor=actor, action="project.apply_template", entity="project",
                         entity_id=project.id, before=None, after={"template_targets": added})
    return [item["indicator"] for item in added]


# -- milestones -------------------------------------------------------------------------------------------
def add_milestone(engine: Engine, actor: Viewer, project_id: int, fields: Mapping[str, Any]) -> int:
    """Append a milestone after the project's last one; returns its id."""
    require(actor, Action.EDIT_PROJECT)
    reject_unknown(fields, MILESTONE_EDITABLE)
    require_scope_before_writing(engine, actor, checked_id(project_id, "project"))
    with transaction(engine) as session:
        project = _project_in_transaction(session, actor, project_id)
        merged = {"actual_end": None, "percent_complete": 0.0, "owner_id": None, **fields}
        check_milestone(session, merged, project.id, owner_changed=True)
        last = session.execute(select(func.max(Milestone.seq)).where(Milestone.project_id == project.id)).scalar()
        milestone = Milestone(project_id=project.id, seq=(last or 0) + 1, **merged)
        session.add(milestone)
        session.flush()
        audit.append(session, actor=actor, action="milestone.create", entity="milestone", entity_id=milestone.id,
                     before=None, after={"project_id": project.id, "seq": milestone.seq, **merged})
        return milestone.id


def reorder_milestones(engine: Engine, actor: Viewer, project_id: int, ordered_ids: Sequence[int]) -> None:
    """Put the project's milestones in this order (seq 1, 2, …).

    ``ordered_ids`` must be exactly the project's milestones: if one was added or removed meanwhile, nothing is
    written (:class:`VersionConflict`). ``seq`` is unique per project, so rows move through negative numbers
    first and no statement ever sees two milestones on one seq.
    """
    require(actor, Action.EDIT_PROJECT)
    require_scope_before_writing(engine, actor, checked_id(project_id, "project"))
    with transaction(engine) as session:
        project = _project_in_transaction(session, actor, project_id)
        current = list(session.execute(select(Milestone.id).where(Milestone.project_id == project.id)
                                       .order_by(Milestone.seq)).scalars())
        wanted = [as_id(milestone_id) for milestone_id in ordered_ids]
        if sorted(current) != sorted(wanted) or len(set(wanted)) != len(wanted):
            raise VersionConflict("The project's milestones changed since you opened them; reload and try again",
                                  message_zh="该项目的里程碑已被他人修改，请刷新后重试（您的修改未保存）")
        if wanted == current:
            return
        for position, milestone_id in enumerate(wanted, start=1):
            session.execute(update(Milestone).where(Milestone.id == milestone_id).values(seq=-position))
        for position, milestone_id in enumerate(wanted, start=1):
            moved = current.index(milestone_id) + 1 != position
            session.execute(update(Milestone).where(Milestone.id == milestone_id).values(
                seq=position, version=Milestone.version + 1 if moved else Milestone.version))
        audit.append(session, actor=actor, action="milestone.reorder", entity="project", entity_id=project.id,
                     before={"order": current}, after={"order": wanted})


# -- targets ----------------------------------------------------------------------------------------------
def _optional_number(value: object, what: str, what_zh: str) -> float | None:
    return None if value is None or isinstance(value, float) and math.isnan(value) else number(value, what, what_zh)


def _project_kpi(session: Session, project: Project, indicator_code: object) -> Indicator:
    """A scored level-3 KPI that applies to the project's category and is not retired."""
    indicator = session.execute(select(Indicator).where(Indicator.code == str(indicator_code)[:30],
                                                        Indicator.level == 3)).scalar()
    if indicator is None or indicator.category_id not in (None, project.category_id):
        raise ValidationError(f"{indicator_code!r:.40} is not a KPI of this project's category",
                              message_zh=f"{str(indicator_code)[:30]} 不是该项目类别的指标")
    if indicator.retired_at is not None:
        raise ValidationError(f"{indicator.code} is retired", message_zh=f"指标 {indicator.code} 已停用")
    return indicator


TARGET_FIELDS = ("target_value", "baseline_value", "weight_override")


def _same_target(row: ProjectTarget | None, seen: Mapping[str, float | None] | None) -> bool:
    """Whether the stored target is still the one the user opened (None: there was none); NaN counts as empty."""
    if row is None or seen is None:
        return row is None and seen is None

    def value(number: object) -> float | None:
        return None if number is None or isinstance(number, float) and math.isnan(number) else float(number)

    return all(value(getattr(row, field)) == value(seen.get(field)) for field in TARGET_FIELDS)


def _target_conflict(row: ProjectTarget | None, code: str) -> VersionConflict:
    """Someone saved this KPI's target since the form was opened: say what is stored now, write nothing."""
    if row is None:
        return VersionConflict(f"The target for {code} was removed by someone else since you opened it",
                               message_zh=f"指标 {code} 的目标已被他人删除（您的修改未保存），请刷新后重试")
    now = {field: getattr(row, field) for field in TARGET_FIELDS if getattr(row, field) is not None}
    stored = "、".join(f"{zh} {now[field]:,.15g}" for field, zh in
                      zip(TARGET_FIELDS, ("目标值", "基线值", "权重"), strict=True) if field in now)
    english = ", ".join(f"{field} {value:,.15g}" for field, value in now.items())
    return VersionConflict(f"The target for {code} was changed by someone else since you opened it (now {english});"
                           " nothing was saved",
                           message_zh=f"指标 {code} 的目标已被他人修改（现为 {stored}），您的修改未保存，请刷新后重试")


def _target_row(session: Session, actor: Viewer, project_id: int, indicator_code: str
                ) -> tuple[Project, Indicator, ProjectTarget | None]:
    """The project (in scope), the KPI (of its category) and its stored target, if any."""
    project = _project_in_transaction(session, actor, project_id)
    indicator = _project_kpi(session, project, indicator_code)
    row = session.execute(select(ProjectTarget).where(ProjectTarget.project_id == project.id,
                                                      ProjectTarget.indicator_id == indicator.id)).scalar()
    return project, indicator, row


def set_project_target(engine: Engine, actor: Viewer, project_id: int, indicator_code: str, target: float,
                       baseline: float | None = None, weight: float | None = None, *,
                       seen: Mapping[str, float | None] | None) -> None:
    """Set (insert or replace) a project's target, baseline and weight for one KPI, audited before/after.

    ``seen`` is the target the user opened (its three fields; None: the KPI had none). If the stored one differs,
    someone saved meanwhile: :class:`VersionConflict` says what is stored now and nothing is written.
    """
    require(actor, Action.EDIT_PROJECT)
    values = {"target_value": number(target, "Target", "目标值"),
              "baseline_value": _optional_number(baseline, "Baseline", "基线值"),
              "weight_override": _optional_number(weight, "Weight", "权重")}
    if values["weight_override"] is not None and values["weight_override"] < 0:
        raise ValidationError("A weight must be zero or more", message_zh="权重不能为负数")
    require_scope_before_writing(engine, actor, checked_id(project_id, "project"))
    with transaction(engine) as session:
        project, indicator, row = _target_row(session, actor, project_id, indicator_code)
        if not _same_target(row, seen):
            raise _target_conflict(row, indicator.code)
        before = None if row is None else row_dict(row, set(values))
        if row is None:
            session.add(ProjectTarget(project_id=project.id, indicator_id=indicator.id, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
        audit.append(session, actor=actor, action="target.set", entity="project_target",
                     entity_id=f"{project.id}/{indicator.code}", before=before, after=values)


def remove_project_target(engine: Engine, actor: Viewer, project_id: int, indicator_code: str, *,
                          seen: Mapping[str, float | None]) -> None:
    """Remove a project's target for one KPI (the KPI then scores without a target); audited. ``seen`` as for
    :func:`set_project_target`: a target changed since it was opened is not removed."""
    require(actor, Action.EDIT_PROJECT)
    require_scope_before_writing(engine, actor, checked_id(project_id, "project"))
    with transaction(engine) as session:
        project, indicator, row = _target_row(session, actor, project_id, indicator_code)
        if row is None:
            raise ValidationError(f"The project has no target for {indicator.code}",
                                  message_zh=f"该项目没有指标 {indicator.code} 的目标")
        if not _same_target(row, seen):
            raise _target_conflict(row, indicator.code)
        before = row_dict(row, set(TARGET_FIELDS))
        session.delete(row)
        audit.append(session, actor=actor, action="target.remove", entity="project_target",
                     entity_id=f"{project.id}/{indicator.code}", before=before, after=None)
