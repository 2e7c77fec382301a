"""The target tree (目标分解): scoped reads of its nodes with their latest measurement, and scoped writes.

Who sees a node (decided here, in SQL): everyone sees the nodes they own; admin, leader, analyst and auditor
every node (narrowed by a region scope if they have one); a district official the nodes whose region lies in
their region's subtree; a project manager the nodes of the projects they manage. The **ancestors** of visible
nodes come along as context (``in_scope`` false) so a branch keeps its root — an official sees the city goal
above their district's tasks — but never their siblings: another district's tasks and projects stay hidden.

Writes (``Action.MANAGE_GOALS``: admin, analyst, district official within their region) run in one
transaction with their audit entry and match the version the caller read. Rules: a root is a city goal; a
child is exactly one level below its parent; a key result hangs under an objective; a node's region lies
inside its parent's; a project must be in the actor's scope and inside the node's region; an owner is an
active user who can see the node. The level of a node never changes (moving keeps it), so no cycle can form.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, Select, delete, func, or_, select, true, update
from sqlalchemy.orm import Session, aliased

from data_access import audit
from data_access.db import transaction
from data_access.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from data_access.models import GOAL_LEVELS, OKR_TYPES, Goal, Indicator, Observation, Project, Region, User
from data_access.policy import Action, Role, Viewer, require
from data_access.scope import checked_id, region_subtree_clause, require_project_in_scope, scoped_projects, viewer_for

EDITABLE = frozenset({"parent_id", "okr_type", "title_zh", "title_en", "region_id", "project_id", "owner_id",
                      "period", "target_value", "baseline_value", "unit_zh", "indicator_id", "weight", "due_date",
                      "sort_order"})
CREATABLE = EDITABLE | {"level"}
OWNER_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.ANALYST, Role.DISTRICT_OFFICIAL, Role.PROJECT_MANAGER})
MAX_WEIGHT = 1000.0
MAX_VALUE = 1e13
PERIOD_PATTERN = re.compile(r"\d{4}(-(0[1-9]|1[0-2]))?")
_FIELDS = ("id", "parent_id", "level", "okr_type", "title_zh", "title_en", "region_id", "project_id", "owner_id",
           "period", "target_value", "baseline_value", "unit_zh", "indicator_id", "weight", "due_date",
           "sort_order", "version")


def _refusal(error: type[NotFound] | type[PermissionDenied] = NotFound) -> NotFound | PermissionDenied:
    """One answer for an unknown goal and one out of scope, so ids outside the scope cannot be probed."""
    return error("No such goal, or you may not access it", message_zh="目标不存在或您无权访问")


def _scope_clause(viewer: Viewer) -> ColumnElement[bool]:
    """True for goals (joined to their ``Region``) the viewer may see in their own right."""
    if viewer.role == Role.PROJECT_MANAGER:
        own = Goal.project_id.in_(select(Project.id).where(Project.manager_id == viewer.user_id))
    elif viewer.sees_everything:
        return true()
    else:
        own = region_subtree_clause(viewer, Region.path)
    return or_(own, Goal.owner_id == viewer.user_id)


_NODE_COLUMNS = (*_FIELDS, "region_path", "region_name_zh", "region_name_en", "project_code", "project_name_zh",
                 "project_name_en", "owner_name", "indicator_code", "indicator_name_zh", "indicator_name_en",
                 "direction")


def _node_select(where: ColumnElement[bool]) -> Select[Any]:
    """Goals with their region, project, owner and indicator, limited by ``where``."""
    owner = aliased(User)
    return (select(*(getattr(Goal, field) for field in _FIELDS), Region.path, Region.name_zh, Region.name_en,
                   Project.code, Project.name_zh, Project.name_en, owner.display_name, Indicator.code,
                   Indicator.name_zh, Indicator.name_en, Indicator.direction)
            .select_from(Goal).join(Region, Region.id == Goal.region_id)
            .outerjoin(Project, Project.id == Goal.project_id).outerjoin(owner, owner.id == Goal.owner_id)
            .outerjoin(Indicator, Indicator.id == Goal.indicator_id).where(where))


def list_goals(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """The viewer's nodes of the target tree and their ancestors, with each node's latest measurement.

    One row per node: the goal's columns, its region (path and names), project, owner name, indicator (code,
    names, direction), ``in_scope`` (false for ancestors shown only as context) and ``value`` /
    ``measured_period``: for a node linked to an indicator, the latest observation of its project, or for a
    node without a project the mean of the latest observations of the projects in its region — only projects
    the viewer may see count. An indicator whose months add up (roll-up ``sum``: participants, revenue) or
    average (``mean``) is read over the node's period instead: a campaign's "≥ 5 万人次" counts the year.
    """
    with Session(engine) as session:
        rows = [dict(zip(_NODE_COLUMNS, row, strict=True), in_scope=True)
                for row in session.execute(_node_select(_scope_clause(viewer)))]
        known = {row["id"] for row in rows}
        missing = {row["parent_id"] for row in rows} - known - {None}
        while missing:
            parents = [dict(zip(_NODE_COLUMNS, row, strict=True), in_scope=False)
                       for row in session.execute(_node_select(Goal.id.in_(sorted(missing))))]
            rows += parents
            known |= {row["id"] for row in parents}
            missing = {row["parent_id"] for row in parents} - known - {None}
        frame = pd.DataFrame(rows, columns=[*_NODE_COLUMNS, "in_scope"])
        measured_ids = frame.loc[frame["in_scope"], "indicator_id"].dropna()
        rollups = _rollups(session, measured_ids)
        latest = _latest_observations(session, viewer, measured_ids[measured_ids.map(rollups) == "last"])
        months = _period_observations(session, viewer, frame[frame["in_scope"]
                                                             & frame["indicator_id"].map(rollups).isin(FLOWS)])
    frame = frame.sort_values(["sort_order", "id"], kind="stable").reset_index(drop=True)
    measured = frame.apply(lambda node: _measure(node, rollups, latest, months), axis=1, result_type="expand")
    frame[["value", "measured_period"]] = measured if len(frame) else pd.DataFrame(columns=[0, 1])
    frame.loc[~frame["in_scope"], ["value", "measured_period"]] = None
    return frame


FLOWS = frozenset({"sum", "mean"})  # the library's roll-ups that read a goal's whole period, not its last month


def _rollups(session: Session, indicator_ids: pd.Series) -> dict[float, str]:
    """How each indicator's months add up over a goal's period (the library's ``period_rollup``)."""
    ids = sorted({int(i) for i in indicator_ids})
    statement = select(Indicator.id, Indicator.period_rollup).where(Indicator.id.in_(ids))
    return {float(row.id): row.period_rollup for row in session.execute(statement)} if ids else {}


def _period_span(period: str) -> tuple[dt.date, dt.date]:
    """The first and last month of a goal's period: a year ("2026") or a month ("2026-11")."""
    year, _, month = period.partition("-")
    if month:
        return dt.date(int(year), int(month), 1), dt.date(int(year), int(month), 1)
    return dt.date(int(year), 1, 1), dt.date(int(year), 12, 1)


def _period_observations(session: Session, viewer: Viewer, nodes: pd.DataFrame) -> pd.DataFrame:
    """Every month inside these nodes' periods of their indicators, for projects in scope (flow indicators:
    a campaign's participants over the year add up, a satisfaction score averages)."""
    columns = ["project_id", "indicator_id", "period", "value", "region_path"]
    if nodes.empty:
        return pd.DataFrame(columns=columns)
    spans = [_period_span(period) for period in nodes["period"]]
    statement = (select(Observation.project_id, Observation.indicator_id, Observation.period, Observation.value,
                        Region.path)
                 .join(Project, Project.id == Observation.project_id).join(Region, Region.id == Project.region_id)
                 .where(Observation.indicator_id.in_(sorted({int(i) for i in nodes["indicator_id"]})),
                        Observation.project_id.in_(scoped_projects(viewer, Project.id)),
                        Observation.period >= min(start for start, _ in spans),
                        Observation.period <= max(end for _, end in spans)))
    return pd.DataFrame(session.execute(statement).all(), columns=columns)


def _latest_observations(session: Session, viewer: Viewer, indicator_ids: pd.Series) -> pd.DataFrame:
    """Latest observation per (project in scope, indicator) for these indicators, with the project's region."""
    ids = sorted({int(i) for i in indicator_ids})
    columns = ["project_id", "indicator_id", "period", "value", "region_path"]
    if not ids:
        return pd.DataFrame(columns=columns)
    in_scope = scoped_projects(viewer, Project.id)
    newest = (select(Observation.project_id, Observation.indicator_id, func.max(Observation.period).label("period"))
              .where(Observation.indicator_id.in_(ids), Observation.project_id.in_(in_scope))
              .group_by(Observation.project_id, Observation.indicator_id).subquery())
    statement = (select(Observation.project_id, Observation.indicator_id, Observation.period, Observation.value,
                        Region.path)
                 .join(newest, (newest.c.project_id == Observation.project_id)
                       & (newest.c.indicator_id == Observation.indicator_id) & (newest.c.period == Observation.period))
                 .join(Project, Project.id == Observation.project_id).join(Region, Region.id == Project.region_id))
    return pd.DataFrame(session.execute(statement).all(), columns=columns)


def _measure(node: pd.Series, rollups: Mapping[float, str], latest: pd.DataFrame, months: pd.DataFrame
             ) -> tuple[float | None, dt.date | None]:
    """A node's figure: its project's (or the mean of its region's projects') latest value, or for a flow
    indicator the sum or mean of the months inside the node's period."""
    if pd.isna(node["indicator_id"]):
        return None, None
    rollup = rollups.get(float(node["indicator_id"]), "last")
    source = latest if rollup == "last" else months
    if source.empty:
        return None, None
    rows = source[source["indicator_id"] == node["indicator_id"]]
    if rollup != "last":
        start, end = _period_span(node["period"])
        rows = rows[(rows["period"] >= start) & (rows["period"] <= end)]
    if pd.notna(node["project_id"]):
        rows = rows[rows["project_id"] == node["project_id"]]
    else:
        rows = rows[rows["region_path"].str.startswith(node["region_path"])]
    if rows.empty:
        return None, None
    per_project = rows.groupby("project_id")["value"].agg("last" if rollup == "last" else rollup)
    return float(per_project.mean()), rows["period"].max()


def owner_candidates(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """Active people who may own nodes the viewer can write (id, display_name, role), by name.

    Everyone of an owning role for an unscoped viewer; otherwise the viewer, the people whose region lies in
    the viewer's region and the managers of projects in scope. Each write checks the owner against the node.
    """
    statement = (select(User.id, User.display_name, User.role).outerjoin(Region, Region.id == User.region_id)
                 .where(User.is_active.is_(True), User.role.in_(sorted(OWNER_ROLES))))
    if not viewer.sees_everything:
        managers = scoped_projects(viewer, Project.manager_id).where(Project.manager_id.is_not(None))
        statement = statement.where(or_(User.id == viewer.user_id, region_subtree_clause(viewer, Region.path),
                                        User.id.in_(managers)))
    with Session(engine) as session:
        rows = session.execute(statement.order_by(User.display_name, User.id)).all()
    return pd.DataFrame(rows, columns=["id", "display_name", "role"])


# -- writes ----------------------------------------------------------------------------------------------------
def create_goal(engine: Engine, actor: Viewer, fields: Mapping[str, Any]) -> int:
    """Add a node; returns its id. ``fields`` needs level, okr_type, title_zh, region_id and period."""
    require(actor, Action.MANAGE_GOALS)
    _reject_unknown(fields, CREATABLE)
    required = ("level", "okr_type", "title_zh", "region_id", "period")
    absent = [name for name in required if fields.get(name) in (None, "")]
    if absent:
        raise ValidationError(f"Missing: {', '.join(absent)}", message_zh=f"缺少必填项：{'、'.join(absent)}")
    merged = {"parent_id": None, "title_en": "", "project_id": None, "owner_id": None, "target_value": None,
              "baseline_value": None, "unit_zh": None, "indicator_id": None, "weight": 1.0, "due_date": None,
              "sort_order": 0, **fields}
    with transaction(engine) as session:
        _validate(session, actor, merged)
        goal = Goal(**merged, version=1)
        session.add(goal)
        session.flush()
        audit.append(session, actor=actor, action="goal.create", entity="goal", entity_id=goal.id,
                     after={name: merged[name] for name in sorted(merged)})
        return goal.id


def update_goal(engine: Engine, actor: Viewer, goal_id: int, expected_version: int,
                changes: Mapping[str, Any]) -> int:
    """Edit or move a node (a new ``parent_id``); returns the new version.

    Raises PermissionDenied, NotFound, ValidationError or VersionConflict; nothing is written then.
    """
    require(actor, Action.MANAGE_GOALS)
    _reject_unknown(changes, EDITABLE)
    goal_id = checked_id(goal_id, "goal")
    with transaction(engine) as session:
        goal = _writable_goal(session, actor, goal_id)
        before = {name: getattr(goal, name) for name in sorted(changes)}
        merged = {name: getattr(goal, name) for name in CREATABLE} | dict(changes)
        _validate(session, actor, merged, goal_id=goal_id)
        _check_children(session, goal_id, merged)
        result = session.execute(update(Goal).where(Goal.id == goal_id, Goal.version == expected_version)
                                 .values(**{name: merged[name] for name in changes}, version=Goal.version + 1))
        _require_one_row(result.rowcount)
        audit.append(session, actor=actor, action="goal.update", entity="goal", entity_id=goal_id,
                     before=before, after={name: merged[name] for name in sorted(changes)})
    return expected_version + 1


def delete_goal(engine: Engine, actor: Viewer, goal_id: int, expected_version: int) -> None:
    """Remove a node without children (move or remove them first, so no branch disappears by accident)."""
    require(actor, Action.MANAGE_GOALS)
    goal_id = checked_id(goal_id, "goal")
    with transaction(engine) as session:
        goal = _writable_goal(session, actor, goal_id)
        if session.execute(select(Goal.id).where(Goal.parent_id == goal_id).limit(1)).first() is not None:
            raise ValidationError("The goal has sub-goals; move or delete them first",
                                  message_zh="该目标下还有子目标，请先移动或删除子目标")
        before = {name: getattr(goal, name) for name in sorted(CREATABLE)}
        result = session.execute(delete(Goal).where(Goal.id == goal_id, Goal.version == expected_version))
        _require_one_row(result.rowcount)
        audit.append(session, actor=actor, action="goal.delete", entity="goal", entity_id=goal_id, before=before)


def _require_one_row(rowcount: int) -> None:
    if rowcount != 1:
        raise VersionConflict("The goal was changed by someone else since you opened it; reload and try again",
                              message_zh="该记录已被他人修改，请刷新后重试（您的修改未保存）")


def _reject_unknown(fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError(f"These fields cannot be set: {', '.join(unknown)}",
                              message_zh=f"以下字段不可修改：{'、'.join(unknown)}")


def _region_path(session: Session, region_id: object) -> str:
    path = session.execute(select(Region.path).where(Region.id == checked_id(region_id, "region"))).scalar()
    if path is None:
        raise ValidationError("No such region", message_zh="所选地区不存在")
    return path


def _in_write_scope(actor: Viewer, path: str) -> bool:
    return actor.sees_everything or actor.region_path is not None and path.startswith(actor.region_path)


def _writable_goal(session: Session, actor: Viewer, goal_id: int) -> Goal:
    """The goal, if the actor may change it: its region lies in their scope (one refusal for both cases)."""
    goal = session.get(Goal, goal_id)
    if goal is None:
        raise _refusal()
    if not _in_write_scope(actor, _region_path(session, goal.region_id)):
        raise _refusal(PermissionDenied)
    return goal


def _validate(session: Session, actor: Viewer, node: dict[str, Any], *, goal_id: int | None = None) -> None:
    """Every rule a node must keep, checked before anything is written; ``node`` is normalised in place."""
    _check_texts(node)
    if node["level"] not in GOAL_LEVELS:
        raise ValidationError(f"Unknown level {node['level']!r:.40}", message_zh="未知的目标层级")
    if node["okr_type"] not in OKR_TYPES:
        raise ValidationError(f"Unknown OKR type {node['okr_type']!r:.40}", message_zh="未知的 OKR 类型")
    path = _region_path(session, node["region_id"])
    if not _in_write_scope(actor, path):
        raise PermissionDenied("The region is outside your scope", message_zh="所选地区不在您的权限范围内")
    _check_parent(session, actor, node, path, goal_id)
    if node["project_id"] is not None:
        node["project_id"] = checked_id(node["project_id"], "project")
        require_project_in_scope(session, actor, node["project_id"], audit_refusal=False)
        project_path = session.execute(select(Region.path).join(Project, Project.region_id == Region.id)
                                       .where(Project.id == node["project_id"])).scalar_one()
        if not project_path.startswith(path):
            raise ValidationError("The project lies outside the goal's region", message_zh="所选项目不在该目标的地区内")
    if node["owner_id"] is not None and not _may_own(session, node["owner_id"], path, node["project_id"]):
        raise ValidationError("The owner must be an active user who can see this goal's region or project",
                              message_zh="责任人须为能查看该目标所在地区或项目的在职用户")
    if node["indicator_id"] is not None:
        node["indicator_id"] = checked_id(node["indicator_id"], "indicator")
        level = session.execute(select(Indicator.level).where(Indicator.id == node["indicator_id"])).scalar()
        if level != 3:
            raise ValidationError("The indicator must be a KPI of the library",
                                  message_zh="所选指标须为指标库中的三级指标")
    _check_numbers(node)


def _check_texts(node: dict[str, Any]) -> None:
    for field, limit, field_zh in (("title_zh", 200, "中文标题"), ("title_en", 300, "英文标题")):
        value = node[field]
        if not isinstance(value, str) or len(value.strip()) > limit or field == "title_zh" and not value.strip():
            raise ValidationError(f"{field} must be text of up to {limit} characters",
                                  message_zh=f"{field_zh}须为 1–{limit} 个字符的文字")
        node[field] = value.strip()
    if not node["title_en"]:
        node["title_en"] = node["title_zh"]
    unit = node["unit_zh"]
    if unit is not None and (not isinstance(unit, str) or len(unit) > 20):
        raise ValidationError("The unit must be text of up to 20 characters",
                              message_zh="单位须为不超过 20 个字符的文字")
    if not isinstance(node["period"], str) or not PERIOD_PATTERN.fullmatch(node["period"]):
        raise ValidationError("The period must be a year (2026) or a month (2026-11)",
                              message_zh="周期须为年份（2026）或月份（2026-11）")


def _check_numbers(node: dict[str, Any]) -> None:
    for field, field_zh in (("target_value", "目标值"), ("baseline_value", "基线值"), ("weight", "权重")):
        value = node[field]
        if value is None and field != "weight":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
                or abs(value) >= MAX_VALUE:
            raise ValidationError(f"{field} is not a number", message_zh=f"{field_zh}不是有效数字")
        node[field] = float(value)
    if not 0 <= node["weight"] <= MAX_WEIGHT:
        raise ValidationError(f"The weight must be between 0 and {MAX_WEIGHT:,.15g}",
                              message_zh=f"权重须在 0 到 {MAX_WEIGHT:,.15g} 之间")
    due = node["due_date"]
    if due is not None and (not isinstance(due, dt.date) or isinstance(due, dt.datetime)):
        raise ValidationError("The due date must be a date", message_zh="截止日期须为日期")
    order = node["sort_order"]
    if isinstance(order, bool) or not isinstance(order, int) or not 0 <= order <= 10**6:
        raise ValidationError("The order must be a whole number 0–1,000,000", message_zh="排序须为 0–1000000 的整数")


def _check_parent(session: Session, actor: Viewer, node: dict[str, Any], path: str, goal_id: int | None) -> None:
    """A root is a city goal; a child is one level below its parent, inside its region, a KR under an objective."""
    if node["parent_id"] is None:
        if node["level"] != GOAL_LEVELS[0]:
            raise ValidationError("Only a city goal can stand without a parent",
                                  message_zh="只有市级目标可以没有上级目标")
        return
    node["parent_id"] = checked_id(node["parent_id"], "goal")
    parent = session.execute(select(Goal.level, Goal.okr_type, Region.path).join(Region, Region.id == Goal.region_id)
                             .where(Goal.id == node["parent_id"])).one_or_none()
    reachable = parent is not None and (_in_write_scope(actor, parent.path) or actor.region_path is not None
                                        and actor.region_path.startswith(parent.path))
    if not reachable or node["parent_id"] == goal_id:
        raise ValidationError("No such parent goal, or you may not access it", message_zh="上级目标不存在或您无权访问")
    if GOAL_LEVELS.index(node["level"]) != GOAL_LEVELS.index(parent.level) + 1:
        raise ValidationError("A goal must be exactly one level below its parent",
                              message_zh="目标须比上级目标低一个层级")
    if node["okr_type"] == "key_result" and parent.okr_type != "objective":
        raise ValidationError("A key result must sit under an objective", message_zh="关键结果须挂在目标（O）之下")
    if not path.startswith(parent.path):
        raise ValidationError("The goal's region must lie inside its parent's region",
                              message_zh="目标所在地区须在上级目标的地区之内")


def _check_children(session: Session, goal_id: int, node: dict[str, Any]) -> None:
    """After an edit the children still fit: inside the node's region, and key results under an objective."""
    path = _region_path(session, node["region_id"])
    children = session.execute(select(Goal.okr_type, Region.path).join(Region, Region.id == Goal.region_id)
                               .where(Goal.parent_id == goal_id)).all()
    if any(not child.path.startswith(path) for child in children):
        raise ValidationError("A sub-goal's region would lie outside this goal's region",
                              message_zh="有子目标的地区将不在该目标的地区之内")
    if node["okr_type"] != "objective" and any(child.okr_type == "key_result" for child in children):
        raise ValidationError("Key results below need this goal to stay an objective",
                              message_zh="该目标下有关键结果，须保持为目标（O）")


def _may_own(session: Session, owner_id: object, path: str, project_id: int | None) -> bool:
    """An owner is an active user (not an auditor) who can see the node: its project, or its whole region."""
    owner_id = checked_id(owner_id, "user")
    username = session.execute(select(User.username).where(User.id == owner_id, User.is_active.is_(True),
                                                           User.role.in_(sorted(OWNER_ROLES)))).scalar()
    if username is None:
        return False
    person = viewer_for(session, username)
    if project_id is not None:
        return session.execute(scoped_projects(person, Project.id).where(Project.id == project_id)).first() is not None
    return person.role != Role.PROJECT_MANAGER and _in_write_scope(person, path)
