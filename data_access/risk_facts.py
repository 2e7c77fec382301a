"""The facts risk prediction reads (风险预测), scoped like every read.

Training reads every finished project the viewer may see, archived ones included (the history); a prediction
reads the active and suspended projects in the viewer's scope. Only the facts the features need come back:
the projects' plan, the monthly progress and spend with their plans, and the milestones.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, Select, select

from data_access.models import Category, Indicator, Milestone, Observation, Project, Region
from data_access.reads import _copy_frame, _frame
from data_access.scope import Viewer, scoped_projects

RISK_CODES = ("PROG_ACTUAL", "PROG_PLAN", "SPEND_CUM", "SPEND_PLAN")
FINISHED = ("completed", "archived")
ONGOING = ("active", "suspended")


@dataclass(frozen=True)
class RiskFacts:
    """``projects``: id, code, name_zh, name_en, category_code, region_id, region_zh, region_en, budget (CNY),
    planned_start, planned_end, actual_start, actual_end, status; ``observations``: project_id,
    indicator_code, period, value; ``milestones``: project_id, planned_end, actual_end."""

    projects: pd.DataFrame
    observations: pd.DataFrame
    milestones: pd.DataFrame


def _projects(viewer: Viewer, statuses: Sequence[str], project_ids: Sequence[int] | None) -> Select:
    statement = (scoped_projects(viewer, Project.id, include_archived=True)
                 .where(Project.status.in_(list(statuses))))
    return statement if project_ids is None else statement.where(Project.id.in_(list(project_ids)))


def read_risk_facts(engine: Engine, viewer: Viewer, statuses: Sequence[str], *,
                    project_ids: Sequence[int] | None = None) -> RiskFacts:
    """The facts of the viewer's projects with one of ``statuses`` (:data:`FINISHED` to train,
    :data:`ONGOING` to predict), of ``project_ids`` only when given (ids out of scope: nothing)."""
    chosen = _projects(viewer, statuses, project_ids).subquery()
    projects = _frame(engine, (
        select(Project.id, Project.code, Project.name_zh, Project.name_en, Category.code.label("category_code"),
               Project.region_id, Region.name_zh.label("region_zh"), Region.name_en.label("region_en"),
               Project.budget, Project.planned_start, Project.planned_end, Project.actual_start,
               Project.actual_end, Project.status)
        .join(Category, Category.id == Project.category_id)
        .join(Region, Region.id == Project.region_id)
        .where(Project.id.in_(select(chosen.c.id)))
        .order_by(Project.id)))
    projects["budget"] = pd.to_numeric(projects["budget"]).astype(float)
    for column in ("planned_start", "planned_end", "actual_start", "actual_end"):
        projects[column] = pd.to_datetime(projects[column])
    observations = _copy_frame(engine, (
        select(Observation.project_id, Indicator.code.label("indicator_code"), Observation.period,
               Observation.value)
        .join(Indicator, Indicator.id == Observation.indicator_id)
        .where(Indicator.code.in_(RISK_CODES), Observation.project_id.in_(select(chosen.c.id)))
        .order_by(Observation.project_id, Observation.period)))
    observations["period"] = pd.to_datetime(observations["period"])
    observations["value"] = pd.to_numeric(observations["value"]).astype(float)
    milestones = _frame(engine, (
        select(Milestone.project_id, Milestone.planned_end, Milestone.actual_end)
        .where(Milestone.project_id.in_(select(chosen.c.id)))
        .order_by(Milestone.project_id, Milestone.seq)))
    for column in ("planned_end", "actual_end"):
        milestones[column] = pd.to_datetime(milestones[column])
    return RiskFacts(projects, observations, milestones)
