"""Planning an import: the typed rows checked against the database, in the actor's scope, without writing.

``plan_import`` is what the preview shows; ``commit_import`` runs the same planning again inside its write
transaction, so what it writes is what was checked at that moment.
"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data_access.errors import ValidationError
from data_access.imports import milestones, observations, projects, targets
from data_access.imports.base import ImportPlan, Planned
from data_access.imports.entities import MILESTONE, OBSERVATION, PROJECT, PROJECT_TARGET, Entity
from data_access.policy import Action, Viewer, require

Planner = Callable[[Session, Viewer, pd.DataFrame, str], Planned]
PLANNERS: dict[str, tuple[Planner, Entity]] = {
    "observations": (observations.plan, OBSERVATION),
    "targets": (targets.plan, PROJECT_TARGET),
    "milestones": (milestones.plan, MILESTONE),
    "projects": (projects.plan, PROJECT),
}


def planner_for(kind: str) -> tuple[Planner, Entity]:
    if kind not in PLANNERS:
        raise ValidationError(f"Unknown kind of import {kind!r:.40}", message_zh="未知的导入类型")
    return PLANNERS[kind]


def plan_in(session: Session, actor: Viewer, kind: str, rows: pd.DataFrame, sheet: str) -> Planned:
    """The plan, read through ``session`` (the commit's own transaction, or a read-only session)."""
    require(actor, Action.IMPORT_DATA)
    planner, _entity = planner_for(kind)
    return planner(session, actor, rows, sheet)


def plan_import(engine: Engine, actor: Viewer, kind: str, rows: pd.DataFrame, *, sheet: str) -> ImportPlan:
    """Which rows are new, changed or unchanged, and every problem the database finds; nothing is written."""
    require(actor, Action.IMPORT_DATA)
    with Session(engine) as session:
        return plan_in(session, actor, kind, rows, sheet).plan
