"""The drop-down lists of an import template, from what the person downloading it may see and use.

A district official's template offers their district's project codes, regions and people only; a code outside
the lists is still refused when the file is checked (the lists only help to fill it in).
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, or_, select

from data_access.models import User
from data_access.policy import Viewer
from data_access.reads import list_categories, list_indicators, list_projects, list_regions

OWNER_ROLES = ("admin", "district_official", "project_manager")


def _people(engine: Engine, viewer: Viewer, projects: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Active users who work inside the viewer's regions or manage a project the viewer sees (and, for a
    viewer who sees everything, the admins): username and role."""
    in_scope = or_(User.region_id.in_([int(i) for i in regions["id"]]),
                   User.id.in_([int(i) for i in projects["manager_id"].dropna()]))
    if viewer.region_path is None and viewer.role != "district_official":
        in_scope = or_(in_scope, User.role == "admin")
    statement = (select(User.username, User.role)
                 .where(User.is_active.is_(True), User.role.in_(OWNER_ROLES), in_scope)
                 .order_by(User.username))
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(statement).all(), columns=["username", "role"])


def template_choices(engine: Engine, viewer: Viewer) -> dict[str, list[str]]:
    """Column name → the values its drop-down offers: codes and usernames in the viewer's scope (enumerations
    such as a project's status come from the layout itself)."""
    projects = list_projects(engine, viewer)
    regions = list_regions(engine, viewer)
    indicators = list_indicators(engine, viewer)
    people = _people(engine, viewer, projects, regions)
    return {  # a projects template's own code column has no list: its rows are mostly new projects
        "project_code": projects.loc[projects["status"] != "archived", "code"].tolist(),
        "indicator_code": indicators.loc[indicators["level"] == 3, "code"].tolist(),
        "category": list_categories(engine, viewer)["code"].tolist(),
        "region": regions["code"].tolist(),
        "manager": people.loc[people["role"] == "project_manager", "username"].tolist(),
        "owner": people["username"].tolist(),
    }
