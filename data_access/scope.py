"""Who is looking, and which rows they may see or change.

Every read in ``data_access`` passes the viewer through :func:`project_scope_clause`, which becomes part of
the SQL ``WHERE``: rows outside the viewer's scope never leave the database, whatever ids a caller passes.

Scope rules (the roles that see every region are ``Action.READ_ALL_REGIONS`` in :mod:`data_access.policy`):
- admin, leader, analyst, auditor and the ``system`` evaluator: every project (a region scope, if set, narrows
  them too);
- district_official: projects in their region and its sub-regions (region paths share a prefix);
- project_manager: the projects they manage;
- expert: the projects a rating round assigns them (an outside reviewer sees nothing else).
"""
from __future__ import annotations

import hashlib
import operator
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Row, Select, false, select, true
from sqlalchemy.orm import Session

from data_access import audit
from data_access.db import DataVersions, data_versions, transaction
from data_access.errors import DataAccessError, NotFound, PermissionDenied, ValidationError
from data_access.models import Project, RatingAssignment, Region, User
from data_access.policy import Viewer  # it lived here; ``from data_access.scope import Viewer`` still works

MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL
ARCHIVED = "archived"  # the project status that takes a project out of every dashboard view

# One answer for "does not exist" and "not yours", naming no id: a different answer would let anyone
# probe which ids exist outside their scope.
REFUSALS = {
    "project": ("No such project, or you may not access it", "项目不存在或您无权访问"),
    "alert": ("No such warning, or you may not access it", "预警不存在或您无权访问"),
    "milestone": ("No such milestone, or you may not access it", "里程碑不存在或您无权访问"),
    "report": ("No such report, or you may not access it", "月报不存在或您无权访问"),
    "region": ("No such region, or you may not access it", "区域不存在或您无权访问"),
    "attachment": ("No such photo or file, or you may not access it", "照片或附件不存在或您无权访问"),
    "user": ("No such user", "用户不存在"),
    "api token": ("No such API token", "接口令牌不存在"),
    "rule": ("No such warning rule", "预警规则不存在"),
    "scheme": ("No such weight scheme", "权重方案不存在"),
    "feedback": ("No such feedback, or you may not access it", "意见不存在或您无权访问"),
    "rating round": ("No such rating round, or you may not access it", "评分轮次不存在或您无权访问"),
}


def viewer_for(session: Session | Connection, username: str) -> Viewer:
    """Build the viewer for an active user, or raise :class:`NotFound`."""
    row = session.execute(viewer_select().where(User.username == username, User.is_active.is_(True))).one_or_none()
    if row is None:
        raise NotFound(f"No active user {username!r}", message_zh=f"用户 {username!r} 不存在或已停用")
    return viewer_from_row(session, row)


def viewer_select(*more: ColumnElement[Any]) -> Select:
    """The user's columns a viewer is built from (:func:`viewer_from_row`) and ``more``: a caller that checks more
    of the user (auth's check on every page run) reads it all in one statement."""
    return select(User.id, User.username, User.role, User.region_id, Region.path, *more).outerjoin(
        Region, Region.id == User.region_id)


def viewer_from_row(session: Session | Connection, row: Row[Any]) -> Viewer:
    """The viewer of a :func:`viewer_select` row; a manager's or an expert's projects are read for their scope key."""
    if row.role == "project_manager":
        managed = session.execute(select(Project.id).where(Project.manager_id == row.id).order_by(Project.id)
                                  ).scalars().all()
    elif row.role == "expert":
        managed = session.execute(select(RatingAssignment.project_id).where(RatingAssignment.rater_id == row.id)
                                  .distinct().order_by(RatingAssignment.project_id)).scalars().all()
    else:
        managed = []
    return Viewer(user_id=row.id, username=row.username, role=row.role, region_id=row.region_id,
                  region_path=row.path, scope_key=scope_key_of(row.role, row.path, managed))


def scope_key_of(role: str, region_path: str | None, managed_project_ids: Sequence[int]) -> str:
    """``managed_project_ids``: a manager's projects, or the projects an expert is assigned to rate."""
    # 16 hex digits that change whenever what the viewer may see changes (one indexed query per rerun).
    text = "|".join([role, region_path or "", ",".join(map(str, managed_project_ids))])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def region_subtree_clause(viewer: Viewer, region_path_column: ColumnElement[str]) -> ColumnElement[bool]:
    """True for regions inside the viewer's region scope (all regions when unscoped)."""
    if viewer.region_path is None:
        if viewer.role == "district_official":
            return false()  # an official without a region sees nothing rather than everything
        return true()
    return region_path_column.startswith(viewer.region_path, autoescape=True)


def viewer_data_versions(engine: Engine, viewer: Viewer) -> DataVersions:
    """The data versions of the viewer's page run: their ``scope`` version follows writes in their regions only
    (a manager's or an expert's scope is a list of projects: theirs is the whole database's)."""
    by_projects = viewer.role in ("project_manager", "expert")
    return data_versions(engine, None if by_projects else region_subtree_clause(viewer, Region.path))


def project_scope_clause(viewer: Viewer) -> ColumnElement[bool]:
    """A WHERE clause over ``Project`` (joined to its ``Region``) limiting rows to the viewer's scope."""
    if viewer.role == "project_manager":
        return Project.manager_id == viewer.user_id
    if viewer.role == "expert":
        return Project.id.in_(select(RatingAssignment.project_id).where(RatingAssignment.rater_id == viewer.user_id))
    if viewer.sees_everything:
        return true()
    return region_subtree_clause(viewer, Region.path)


def scoped_projects(viewer: Viewer, *columns, include_archived: bool = False) -> Select:
    """``SELECT columns FROM projects JOIN regions`` restricted to the viewer's scope.

    Archived projects leave every dashboard read here, in one clause; the project register (and access checks
    on one project, which must still open an archived one) pass ``include_archived=True``.
    """
    statement = (
        select(*columns)
        .select_from(Project)
        .join(Region, Region.id == Project.region_id)
        .where(project_scope_clause(viewer))
    )
    return statement if include_archived else statement.where(Project.status != ARCHIVED)


def refusal(kind: str, error: type[DataAccessError] = NotFound) -> DataAccessError:
    """The refusal for an unknown or out-of-scope object of this kind; the same words either way."""
    english, chinese = REFUSALS[kind]
    return error(english, message_zh=chinese)


def as_id(value: object) -> int | None:
    """``value`` as an id the database can hold (1 … 2³¹−1), or None when it cannot be one."""
    if isinstance(value, bool):
        return None
    try:
        number = operator.index(value)
    except TypeError:
        return None
    return number if 1 <= number <= MAX_ID else None


def checked_id(value: object, kind: str) -> int:
    """``value`` as an id the database can hold, before any statement uses it.

    Not an integer (a string, a float, a bool): :class:`ValidationError`. An integer outside 1 … 2³¹−1
    cannot exist, so it gets the same refusal as an unknown id (PostgreSQL would raise a DataError).
    """
    if isinstance(value, bool):
        value = None
    try:
        number = operator.index(value)
    except TypeError:
        raise ValidationError(f"{kind} id {value!r:.40} is not a whole number",
                              message_zh="编号须为整数") from None
    if not 1 <= number <= MAX_ID:
        raise refusal(kind)
    return number


def require_project_in_scope(session: Session, viewer: Viewer, project_id: int, *, audit_refusal: bool = True,
                             kind: str = "project") -> None:
    """Refuse an unknown project (:class:`NotFound`) or one out of scope (:class:`PermissionDenied`).

    Both carry the same words (``kind`` says which object the user asked for: a project, or an alert or
    milestone of it), so the answer does not reveal which ids exist. A refusal of an existing project is
    audited in a transaction of its own. Inside a write transaction pass ``audit_refusal=False`` (SQLite
    allows one writer at a time) after checking once before it.
    """
    project_id = checked_id(project_id, kind)
    exists = session.execute(select(Project.id).where(Project.id == project_id)).first()
    if exists is None:
        raise refusal(kind)
    visible = session.execute(scoped_projects(viewer, Project.id, include_archived=True)
                              .where(Project.id == project_id)).first()
    if visible is None:
        if audit_refusal:
            _audit_refusal(session, viewer, project_id)
        raise refusal(kind, PermissionDenied)


def _audit_refusal(session: Session, viewer: Viewer, project_id: int) -> None:
    """Record a refused access in its own transaction: it must survive the caller's rollback."""
    with transaction(session.get_bind(), account_activity=True) as audit_session:
        audit.append(audit_session, actor=viewer, action="access.denied", entity="project", entity_id=project_id)


def can_take_on(session: Session, user_id: object, project_id: int, roles: frozenset[str]) -> bool:
    """Whether ``user_id`` is an active user with one of ``roles`` who can see the project.

    Owners of milestones and rectification tasks are chosen from these people: a user of another district
    (or an unknown id) would otherwise be given work, and notifications, about a project they cannot open.
    """
    user_id = as_id(user_id)
    if user_id is None:
        return False
    username = session.execute(select(User.username).where(User.id == user_id, User.is_active.is_(True),
                                                           User.role.in_(list(roles)))).scalar()
    if username is None:
        return False
    person = viewer_for(session, username)
    return session.execute(scoped_projects(person, Project.id, include_archived=True)
                           .where(Project.id == project_id)).first() is not None
