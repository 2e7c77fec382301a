"""Weight schemes and what-if scenarios: save, change, delete and promote to the default, scoped by role.

A scenario is a weight scheme that is not the default. Weights are a two-level tree,
:data:`scoring.weight_tree.DimensionTree`: ``{dimension: (dimension_weight, {indicator_code: weight})}``, any
non-negative scale at each level, checked by :func:`scoring.weight_tree.tree_problems`. They are stored
as one ``WeightSchemeItem`` per dimension (``indicator_id`` NULL) and one per indicator.

Who may do what (checked here, whatever the page shows; the roles are ``SAVE_SCENARIO``,
``MANAGE_ANY_SCENARIO`` and ``PROMOTE_SCHEME`` in :mod:`data_access.policy`):

- admin and analyst: save scenarios, change or delete any scenario, promote any scheme to the default;
- leader: save scenarios and change or delete their own (``created_by``) — nothing else, never promote;
- every other role: nothing (all roles may read schemes, see :func:`list_schemes`).

Saving under a name that exists creates the next version of that name (name + version are unique); a
leader may only add versions to a name whose versions are all their own. The default scheme is never
changed or deleted in place: promote another scheme instead. Promoting flips the default in one
transaction (the old default off, then the new one on: the partial unique index allows one default) and
audits the old and the new default as before/after. Every write runs in one transaction with its audit entry.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_access import audit
from data_access.db import transaction
from data_access.errors import NotFound, PermissionDenied, ValidationError, VersionConflict
from data_access.models import Indicator, User, WeightScheme, WeightSchemeItem
from data_access.policy import Action, Viewer, allowed, require
from data_access.scope import checked_id
from scoring.weight_tree import DimensionTree, TreeProblem, tree_problems

NAME_LENGTH = 80
DESCRIPTION_LENGTH = 5000  # Text column; a page of explanation
SAVE_ATTEMPTS = 3  # two people saving the same name at once: the later one retries with the next version


@dataclass(frozen=True)
class SavedScheme:
    id: int
    name: str
    version: int


def may_change(viewer: Viewer, created_by: int | None, is_default: bool) -> bool:
    """Whether ``viewer`` may change or delete a scheme (for showing buttons; the writes check again)."""
    if is_default:
        return False
    return allowed(viewer, Action.MANAGE_ANY_SCENARIO) or (allowed(viewer, Action.SAVE_SCENARIO)
                                                          and created_by == viewer.user_id)


def list_schemes(engine: Engine, viewer: Viewer) -> pd.DataFrame:  # noqa: ARG001 - every role may read schemes
    """Every weight scheme, newest first within a name. Columns: id, name, version, description, is_default,
    created_by, created_by_name, created_at."""
    statement = (
        select(WeightScheme.id, WeightScheme.name, WeightScheme.version, WeightScheme.description,
               WeightScheme.is_default, WeightScheme.created_by, User.display_name.label("created_by_name"),
               WeightScheme.created_at)
        .outerjoin(User, User.id == WeightScheme.created_by)
        .order_by(WeightScheme.name, WeightScheme.version.desc())
    )
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    frame = pd.DataFrame(rows, columns=["id", "name", "version", "description", "is_default", "created_by",
                                        "created_by_name", "created_at"])
    frame["is_default"] = frame["is_default"].astype(bool)
    return frame


# -- validation -------------------------------------------------------------------------------------------

def _refusal(problem: TreeProblem) -> ValidationError:
    """A :func:`scoring.weight_tree.tree_problems` finding in both languages."""
    where, value = problem.where, problem.value
    if problem.code == "shape":
        return ValidationError(f"Dimension {where}: expected (weight, {{indicator: weight}})",
                               message_zh=f"维度 {where} 的格式应为（权重，{{指标: 权重}}）")
    if problem.code == "not_a_number":
        return ValidationError(f"Weight of {where} must be a finite number, got {value!r}",
                               message_zh=f"{where} 的权重须为有限数值（当前为 {value!r}）")
    if problem.code == "negative":
        return ValidationError(f"Weight of {where} is negative ({value!r})",
                               message_zh=f"{where} 的权重不能为负数（当前为 {value!r}）")
    if problem.code == "empty_dimension":
        return ValidationError(f"Dimension {where} has a weight but none of its indicators does",
                               message_zh=f"维度 {where} 的权重为正，但其下指标权重全为 0")
    return ValidationError("All dimension weights are zero", message_zh="维度权重不能全部为 0")


def _without_retired(weights: DimensionTree, retired: set[str]) -> DimensionTree:
    """The tree without retired KPIs: they leave new schemes (a tree copied from an older scheme may hold them)."""
    if not retired:
        return weights
    return {dimension: (node[0], {code: w for code, w in node[1].items() if code not in retired})
            if isinstance(node, tuple | list) and len(node) == 2 and isinstance(node[1], Mapping) else node
            for dimension, node in weights.items()}


def _validated_items(session: Session, weights: DimensionTree) -> tuple[list[tuple[str, int | None, float]], dict]:
    """(dimension, indicator id or None, weight) rows in library order, and the tree as audit JSON."""
    if not isinstance(weights, Mapping) or not weights:
        raise ValidationError("A scheme needs dimension weights", message_zh="方案须包含维度权重")
    library = session.execute(
        select(Indicator.id, Indicator.code, Indicator.dimension, Indicator.level, Indicator.scored,
               Indicator.retired_at)
        .where(Indicator.level.in_((1, 3))).order_by(Indicator.id)).all()
    dimensions = [row.dimension for row in library if row.level == 1]
    kpis = {row.code: row for row in library if row.level == 3 and row.scored}
    weights = _without_retired(weights, {row.code for row in library if row.retired_at is not None})
    unknown = [d for d in weights if d not in dimensions]
    if unknown:
        raise ValidationError(f"Unknown dimension(s): {', '.join(map(str, unknown))}",
                              message_zh=f"未知维度：{'、'.join(map(str, unknown))}")
    problems = tree_problems(weights)
    if problems:
        raise _refusal(problems[0])
    rows: list[tuple[str, int | None, float]] = []
    shown: dict[str, list] = {}
    for dimension in (d for d in dimensions if d in weights):
        weight, children = weights[dimension]
        for code in children:
            spec = kpis.get(code)
            if spec is None:
                raise ValidationError(f"Unknown or unscored indicator {code!r}",
                                      message_zh=f"未知指标或非考核指标 {code!r}")
            if spec.dimension != dimension:
                raise ValidationError(f"Indicator {code} belongs to dimension {spec.dimension}, not {dimension}",
                                      message_zh=f"指标 {code} 属于维度 {spec.dimension}，不属于 {dimension}")
        rows.append((dimension, None, float(weight)))
        rows.extend((dimension, kpis[code].id, float(w)) for code, w in children.items())
        shown[dimension] = [float(weight), {code: float(w) for code, w in children.items()}]
    return rows, shown


def _clean_name(name: str) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise ValidationError("The scenario needs a name", message_zh="请填写方案名称")
    if len(name) > NAME_LENGTH:
        raise ValidationError(f"Name longer than {NAME_LENGTH} characters",
                              message_zh=f"名称不能超过 {NAME_LENGTH} 个字符")
    return name


def _stored_tree(session: Session, scheme_id: int) -> dict[str, list]:
    rows = session.execute(
        select(WeightSchemeItem.dimension, Indicator.code, WeightSchemeItem.weight)
        .outerjoin(Indicator, Indicator.id == WeightSchemeItem.indicator_id)
        .where(WeightSchemeItem.scheme_id == scheme_id).order_by(WeightSchemeItem.id)).all()
    tree: dict[str, list] = {}
    for dimension, code, weight in rows:
        node = tree.setdefault(dimension, [0.0, {}])
        if code is None:
            node[0] = weight
        else:
            node[1][code] = weight
    return tree


def _describe(scheme: WeightScheme) -> dict[str, Any]:
    return {"scheme_id": scheme.id, "name": scheme.name, "version": scheme.version}


def _clean_description(description: object) -> str | None:
    """A scheme's description: text of at most a page, or None."""
    if description is not None and (not isinstance(description, str) or len(description) > DESCRIPTION_LENGTH):
        raise ValidationError(f"The description must be text of at most {DESCRIPTION_LENGTH} characters",
                              message_zh=f"说明须为不超过 {DESCRIPTION_LENGTH} 个字符的文字")
    return (description or "").strip() or None


def _scheme_for_change(session: Session, actor: Viewer, scheme_id: int, action: str, action_zh: str) -> WeightScheme:
    scheme = session.get(WeightScheme, checked_id(scheme_id, "scheme"))
    if scheme is None:
        raise NotFound(f"Weight scheme {scheme_id} does not exist", message_zh=f"权重方案 {scheme_id} 不存在")
    if scheme.is_default:
        raise ValidationError(f"The default scheme cannot be {action}; promote another scheme first",
                              message_zh=f"默认方案不能{action_zh}：请先将其他方案设为默认")
    if not may_change(actor, scheme.created_by, False):
        raise PermissionDenied(f"{actor.username} may only change their own scenarios",
                               message_zh="您只能修改或删除自己创建的方案")
    return scheme


# -- writes -------------------------------------------------------------------------------------------------

def save_scenario(engine: Engine, actor: Viewer, *, name: str, weights: DimensionTree,
                  description: str | None = None) -> SavedScheme:
    """Store ``weights`` as a new, non-default scheme created by ``actor``; returns its id, name and version.

    An existing ``name`` gets its next version. Negative, non-finite or misplaced weights raise
    :class:`ValidationError`; roles other than admin, leader and analyst :class:`PermissionDenied`.
    """
    require(actor, Action.SAVE_SCENARIO)
    name = _clean_name(name)
    description = _clean_description(description)
    for attempt in range(SAVE_ATTEMPTS):
        try:
            with transaction(engine) as session:
                rows, shown = _validated_items(session, weights)
                owners = session.execute(
                    select(WeightScheme.created_by, WeightScheme.version).where(WeightScheme.name == name)
                    .with_for_update()).all()
                if (not allowed(actor, Action.MANAGE_ANY_SCENARIO)
                        and any(owner != actor.user_id for owner, _ in owners)):
                    raise PermissionDenied(f"The name {name!r} belongs to someone else's scheme",
                                           message_zh=f"名称“{name}”已被他人的方案使用，请换一个名称")
                version = max((v for _, v in owners), default=0) + 1
                scheme = WeightScheme(name=name, version=version, description=description, is_default=False,
                                      created_by=actor.user_id, created_at=dt.datetime.now(dt.UTC))
                session.add(scheme)
                session.flush()
                session.add_all(WeightSchemeItem(scheme_id=scheme.id, dimension=dimension, indicator_id=indicator_id,
                                                 weight=weight) for dimension, indicator_id, weight in rows)
                audit.append(session, actor=actor, action="weight_scheme.save", entity="weight_scheme",
                             entity_id=scheme.id, after={**_describe(scheme), "description": description,
                                                         "weights": shown})
                return SavedScheme(scheme.id, name, version)
        except IntegrityError as exc:  # someone saved the same name + version between our read and insert
            if attempt == SAVE_ATTEMPTS - 1:
                raise VersionConflict(f"Could not save {name!r}: others are saving the same name",
                                      message_zh=f"方案“{name}”正被他人同时保存，请稍后重试") from exc
    raise AssertionError("unreachable")


def update_scenario(engine: Engine, actor: Viewer, scheme_id: int, *, weights: DimensionTree | None = None,
                    description: str | None = None) -> None:
    """Change a scenario's weights and/or description in place (same name and version), audited before/after."""
    require(actor, Action.SAVE_SCENARIO)
    with transaction(engine) as session:
        scheme = _scheme_for_change(session, actor, scheme_id, "changed", "直接修改")
        before: dict[str, Any] = _describe(scheme)
        after: dict[str, Any] = _describe(scheme)
        if description is not None:
            before["description"], scheme.description = scheme.description, _clean_description(description)
            after["description"] = scheme.description
        if weights is not None:
            rows, shown = _validated_items(session, weights)
            before["weights"], after["weights"] = _stored_tree(session, scheme_id), shown
            session.execute(delete(WeightSchemeItem).where(WeightSchemeItem.scheme_id == scheme_id))
            session.add_all(WeightSchemeItem(scheme_id=scheme_id, dimension=dimension, indicator_id=indicator_id,
                                             weight=weight) for dimension, indicator_id, weight in rows)
        audit.append(session, actor=actor, action="weight_scheme.update", entity="weight_scheme",
                     entity_id=scheme_id, before=before, after=after)


def delete_scenario(engine: Engine, actor: Viewer, scheme_id: int) -> None:
    """Delete a scenario and its weights; the audit entry keeps what was deleted."""
    require(actor, Action.SAVE_SCENARIO)
    with transaction(engine) as session:
        scheme = _scheme_for_change(session, actor, scheme_id, "deleted", "删除")
        before = {**_describe(scheme), "description": scheme.description, "created_by": scheme.created_by,
                  "weights": _stored_tree(session, scheme_id)}
        session.execute(delete(WeightSchemeItem).where(WeightSchemeItem.scheme_id == scheme_id))
        session.execute(delete(WeightScheme).where(WeightScheme.id == scheme_id))
        audit.append(session, actor=actor, action="weight_scheme.delete", entity="weight_scheme",
                     entity_id=scheme_id, before=before)


def promote_scheme(engine: Engine, actor: Viewer, scheme_id: int, *, expected_default_id: int | None = None) -> None:
    """Make ``scheme_id`` the default scheme (admins and analysts): every score on the dashboard uses it next.

    ``expected_default_id`` is the default the caller saw; when someone promoted another scheme since,
    :class:`VersionConflict` is raised and nothing changes. Audited with the old default as ``before`` and
    the new one as ``after``.
    """
    require(actor, Action.PROMOTE_SCHEME)
    with transaction(engine) as session:
        # Lock every scheme row (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so two
        # promotions queue and the second sees the first one's result.
        session.execute(select(WeightScheme.id).with_for_update()).all()
        target = session.get(WeightScheme, checked_id(scheme_id, "scheme"))
        if target is None:
            raise NotFound(f"Weight scheme {scheme_id} does not exist", message_zh=f"权重方案 {scheme_id} 不存在")
        current = session.execute(select(WeightScheme).where(WeightScheme.is_default.is_(True))).scalar_one_or_none()
        current_id = current.id if current is not None else None
        if expected_default_id is not None and current_id != expected_default_id:
            raise VersionConflict("Another scheme was made the default since you looked; reload and try again",
                                  message_zh="默认方案已被他人更改，请刷新后重试（未做任何修改）")
        if current_id == scheme_id:
            raise ValidationError(f"{target.name} v{target.version} is already the default",
                                  message_zh=f"“{target.name}” v{target.version} 已是默认方案")
        if not session.execute(select(func.count()).select_from(WeightSchemeItem).where(
                WeightSchemeItem.scheme_id == scheme_id, WeightSchemeItem.weight > 0)).scalar():
            raise ValidationError("A scheme without weights cannot be the default",
                                  message_zh="没有权重的方案不能设为默认")
        before = _describe(current) if current is not None else {"scheme_id": None}
        # Old default off first: the partial unique index is checked row by row on PostgreSQL.
        session.execute(update(WeightScheme).where(WeightScheme.is_default.is_(True)).values(is_default=False))
        session.execute(update(WeightScheme).where(WeightScheme.id == scheme_id).values(is_default=True))
        session.expire_all()
        audit.append(session, actor=actor, action="weight_scheme.promote", entity="weight_scheme",
                     entity_id=scheme_id, before={"default": before}, after={"default": _describe(target)})
