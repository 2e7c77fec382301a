"""Projects, identified by code: the register's own checks (``register.project_problems``) on every row.

Categories, regions and departments (by code, or by Chinese or English name) and managers' usernames are
resolved in bulk; each row is then checked exactly as the register's form checks a new or changed project (code
pattern and uniqueness, category, region inside the actor's scope, department of that region, manager who works
there, site inside the region, description length). Money is in 万元 in the file and CNY in the database. Empty
optional cells keep what is stored; a new project without coordinates is placed at its region's centre, without
a status it is planned, and it gets its category's template targets (a targets file may change them after).
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.imports.base import (
    Findings,
    Planned,
    active_users_by_name,
    chunks,
    finish,
    is_blank,
    objects,
    report_duplicates,
    unplannable,
    with_columns,
)
from data_access.imports.entities import PROJECT, compare
from data_access.models import Category, Department, Project, Region
from data_access.policy import Viewer
from data_access.register import NEW_PROJECT_DEFAULTS, project_problems
from data_access.scope import region_subtree_clause, scoped_projects

Item = TypeVar("Item")
TEN_THOUSAND = Decimal(10_000)  # 万元 → CNY
FILE_COLUMN = {"category_id": "category", "region_id": "region", "department_id": "department",
               "manager_id": "manager"}  # the register's field → the file's column
OPTIONAL = ("name_en", "department_id", "manager_id", "status", "lat", "lon", "description")


def plan(session: Session, actor: Viewer, rows: pd.DataFrame, sheet: str) -> Planned:
    frame = with_columns("projects", rows)
    findings = Findings(sheet)
    usable = frame[~unplannable("projects", frame)]
    report_duplicates(findings, usable, "projects")
    categories, _ = by_code_or_name((row.code, row.name_zh, row.name_en, row.id)
                                    for row in session.execute(select(Category)).scalars())
    regions, ambiguous = by_code_or_name(
        (row.code, row.name_zh, row.name_en, row)
        for row in session.execute(select(Region).where(region_subtree_clause(actor, Region.path))).scalars())
    departments = _departments(session)
    managers = active_users_by_name(session, usable["manager"].dropna().unique())
    existing = _existing(session, actor, usable["code"])

    fields_by_row: dict[int, dict[str, Any]] = {}
    for number, row in usable.iterrows():
        if int(number) in findings.bad_rows:
            continue
        fields, own = _fields(row, categories, regions, ambiguous, departments, managers)
        given = {name: value for name, value in fields.items() if value is not None}
        stored = existing.get(row["code"])
        for column, zh, en in own:
            findings.add(number, column, zh, en, row[column])
        if stored is not None:
            merged = {**stored, **given}
            problems = project_problems(session, actor, {k: v for k, v in merged.items() if k != "id"},
                                        project_id=stored["id"])
        else:
            region = regions.get(row["region"])
            defaults = {"lat": region.lat, "lon": region.lon} if region is not None else {}
            defaults["name_en"] = row["name_zh"]
            merged = {**NEW_PROJECT_DEFAULTS, **defaults, **given}
            problems = project_problems(session, actor, merged)
        reported = {column for column, _, _ in own}
        if "region" in reported:  # no region, no centre to place the site at: only the region is wrong
            reported |= {"lat", "lon"}
        for field, zh, en in problems:
            column = FILE_COLUMN.get(field, field)
            if column not in reported:
                findings.add(number, column, zh, en, row.get(column, ""))
        fields_by_row[int(number)] = merged

    good = [number for number in fields_by_row if number not in findings.bad_rows]
    keyed = pd.DataFrame([{name: fields_by_row[number].get(name) for name in ("code", *PROJECT.fields)}
                          for number in good], index=pd.Index(good), columns=["code", *PROJECT.fields])
    for name in PROJECT.fields:
        keyed[name] = objects(keyed[name])
    resolved = compare(session, PROJECT, keyed)
    resolved["entity_key"] = resolved["code"]
    return finish("projects", sheet, rows, findings, resolved)


def by_code_or_name(items: Iterable[tuple[str, str, str, Item]]) -> tuple[dict[str, Item], set[str]]:
    """``{code, Chinese name or English name: item}`` (people write 龙亭区 as often as 410202) and the names that
    several items share, which only a code can tell apart."""
    found: dict[str, Item] = {}
    named: dict[str, list[Item]] = {}
    for code, name_zh, name_en, item in items:
        found[code] = item
        for name in {name_zh, name_en}:
            named.setdefault(name, []).append(item)
    ambiguous = {name for name, matches in named.items() if len(matches) > 1 and name not in found}
    found |= {name: matches[0] for name, matches in named.items() if len(matches) == 1 and name not in found}
    return found, ambiguous


def _fields(row: pd.Series, categories: dict[str, int], regions: dict[str, Region], ambiguous: set[str],
            departments: dict[str, list[tuple[str, int]]], managers: dict[str, tuple[int, str]]
            ) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """The row as the register's fields (None: keep or default), and problems of codes that name nothing."""
    problems = []
    category = categories.get(row["category"])
    if category is None:
        problems.append(("category", f"项目类别 {row['category']} 不存在", f"No project category {row['category']}"))
    region = regions.get(row["region"])
    if row["region"] in ambiguous:
        problems.append(("region", f"有多个区域名为 {row['region']}，请填写区域代码",
                         f"Several regions are called {row['region']}; write the region's code"))
    elif region is None:
        problems.append(("region", f"区域 {row['region']} 不存在或不在您的管辖范围内",
                         f"Region {row['region']} does not exist or is outside your area"))
    department = None
    if not _blank(row["department"]) and region is not None:
        candidates = [(path, ident) for path, ident in departments.get(row["department"], [])
                      if region.path.startswith(path)]
        if not candidates:
            problems.append(("department", f"部门 {row['department']} 不属于区域 {row['region']}",
                             f"Department {row['department']} does not belong to region {row['region']}"))
        else:
            department = max(candidates)[1]  # the nearest: the longest region path above the project's
    manager = None
    if not _blank(row["manager"]):
        manager = managers.get(row["manager"], (None, ""))[0]
        if manager is None:
            problems.append(("manager", f"项目经理 {row['manager']} 不存在或已停用",
                             f"No active user {row['manager']}"))
    budget = row["budget"]
    fields = {
        "code": row["code"], "name_zh": row["name_zh"], "name_en": _value(row["name_en"]), "category_id": category,
        "region_id": region.id if region is not None else None, "department_id": department, "manager_id": manager,
        "budget": (Decimal(str(budget)) * TEN_THOUSAND).quantize(Decimal("0.01")) if not _blank(budget) else None,
        "planned_start": row["planned_start"], "planned_end": row["planned_end"], "status": _value(row["status"]),
        "lat": _value(row["lat"]), "lon": _value(row["lon"]), "description": _value(row["description"]),
    }
    return fields, problems


def _blank(value: object) -> bool:
    return bool(is_blank(pd.Series([value], dtype=object)).iloc[0])


def _value(value: object) -> Any:
    return None if _blank(value) else value


def _departments(session: Session) -> dict[str, list[tuple[str, int]]]:
    """{department code, Chinese or English name: [(its region's path, id)]}: one code or name (住建局) can
    name a department in several cities; the row's region picks the nearest."""
    found: dict[str, list[tuple[str, int]]] = {}
    statement = (select(Department.code, Department.name_zh, Department.name_en, Department.id, Region.path)
                 .join(Region, Region.id == Department.region_id))
    for row in session.execute(statement):
        for name in {row.code, row.name_zh, row.name_en}:
            found.setdefault(name, []).append((row.path, row.id))
    return found


def _existing(session: Session, actor: Viewer, codes: pd.Series) -> dict[str, dict[str, Any]]:
    """The stored projects the actor may change, by code (archived ones too: the register edits them)."""
    found: dict[str, dict[str, Any]] = {}
    columns = [Project.id, Project.code, *(getattr(Project, name) for name in PROJECT.fields)]
    for part in chunks(sorted(codes.dropna().unique())):
        statement = scoped_projects(actor, *columns, include_archived=True).where(Project.code.in_(part))
        for row in session.execute(statement):
            found[row.code] = dict(row._mapping)
    return found
