"""Reads the reports need that no page needs: the report's region scope, and the words people wrote in a period.

A report is built for a region inside the builder's scope. :func:`report_viewer` checks the region and returns
the builder narrowed to it (the scope rules narrow every role by its region path), so every read the report
makes — portfolio, alerts, milestones, ratings — is scoped in SQL like any page's. Nothing here writes.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, or_, select

from data_access.errors import PermissionDenied
from data_access.models import Alert, Project, Rectification, Region, Report, ReportValue
from data_access.policy import Viewer
from data_access.scope import checked_id, refusal, region_subtree_clause, scoped_projects

REGION_COLUMNS = ["id", "code", "parent_id", "level", "path", "name_zh", "name_en"]
TEXT_COLUMNS = ["source", "project_id", "text"]


@dataclasses.dataclass(frozen=True)
class ReportScope:
    """Who the report reads as (``viewer``, narrowed to ``region``), and the region (None: all the viewer sees)."""

    viewer: Viewer
    region: dict[str, object] | None


def report_viewer(engine: Engine, viewer: Viewer, region_id: int | None) -> ReportScope:
    """The builder narrowed to ``region_id``: an unknown region is :class:`NotFound`, one outside the builder's
    scope :class:`PermissionDenied` (the same words either way). A district official who names no region gets
    their own."""
    if region_id is None and viewer.role == "district_official":
        region_id = viewer.region_id
    if region_id is None:
        return ReportScope(viewer, None)
    region_id = checked_id(region_id, "region")
    columns = [getattr(Region, name) for name in REGION_COLUMNS]
    with engine.connect() as connection:
        row = connection.execute(select(*columns).where(Region.id == region_id)).mappings().one_or_none()
        if row is None:
            raise refusal("region")
        visible = connection.execute(select(Region.id).where(Region.id == region_id,
                                                             region_subtree_clause(viewer, Region.path))).first()
    if visible is None:
        raise refusal("region", PermissionDenied)
    narrowed = dataclasses.replace(viewer, region_id=region_id, region_path=str(row["path"]),
                                   scope_key=f"{viewer.scope_key}:region:{region_id}")
    return ReportScope(narrowed, dict(row))


def period_texts(engine: Engine, viewer: Viewer, start: dt.date, end: dt.date) -> pd.DataFrame:
    """What people wrote about the projects in scope during ``start``–``end``: monthly-report notes and value
    reasons of the months in the period, and the 整改 plans and evidence of warnings live in the period.

    Columns: source (``note``, ``reason``, ``plan``, ``evidence``), project_id, text (never empty); ordered by
    source, project and id, so the same data always gives the same texts in the same order.
    """
    month_from = start.replace(day=1)
    in_months = and_(Report.period >= month_from, Report.period <= end)
    live_from = dt.datetime.combine(start, dt.time.min, dt.UTC)
    live_until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, dt.UTC)
    live = and_(Alert.opened_at < live_until, or_(Alert.closed_at.is_(None), Alert.closed_at >= live_from))
    statements = {
        "note": scoped_projects(viewer, Project.id, Report.note, Report.id)
        .join(Report, Report.project_id == Project.id).where(in_months, Report.note.is_not(None)),
        "reason": scoped_projects(viewer, Project.id, ReportValue.reason, ReportValue.id)
        .join(Report, Report.project_id == Project.id).join(ReportValue, ReportValue.report_id == Report.id)
        .where(in_months, ReportValue.reason.is_not(None)),
        "plan": scoped_projects(viewer, Project.id, Rectification.plan, Rectification.id)
        .join(Alert, Alert.project_id == Project.id).join(Rectification, Rectification.alert_id == Alert.id)
        .where(live),
        "evidence": scoped_projects(viewer, Project.id, Rectification.evidence_note, Rectification.id)
        .join(Alert, Alert.project_id == Project.id).join(Rectification, Rectification.alert_id == Alert.id)
        .where(live, Rectification.evidence_note.is_not(None)),
    }
    rows: list[tuple[str, int, str]] = []
    with engine.connect() as connection:
        for source, statement in statements.items():
            found = connection.execute(statement.order_by(Project.id, statement.selected_columns[2])).all()
            rows += [(source, int(project_id), str(text)) for project_id, text, _ in found if str(text).strip()]
    return pd.DataFrame(rows, columns=TEXT_COLUMNS)


def city_districts(engine: Engine, region_id: int) -> pd.DataFrame:
    """The districts of the city a district belongs to (reference data: names and division codes, which the
    peer ranking and the map show beside the district's own figures). Columns: id, code, name_zh, name_en, lat,
    lon; empty for a region that is not a district."""
    parent = select(Region.parent_id).where(Region.id == checked_id(region_id, "region"),
                                            Region.level == "district").scalar_subquery()
    statement = (select(Region.id, Region.code, Region.name_zh, Region.name_en, Region.lat, Region.lon)
                 .where(Region.parent_id == parent, Region.level == "district").order_by(Region.path))
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(statement).all(),
                            columns=["id", "code", "name_zh", "name_en", "lat", "lon"])
