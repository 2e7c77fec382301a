"""What every kind of import shares: the plan it returns, its problems, and codes resolved to ids in bulk.

References are resolved with one query per kind of reference (projects, indicators, users), never per row,
and a project is found only inside the actor's scope: an unknown code and a code outside the actor's area get
the same words, so an import cannot probe which projects exist elsewhere.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data_access.imports.layouts import LAYOUTS
from data_access.imports.problems import Problem
from data_access.models import Indicator, Project, User
from data_access.policy import Viewer
from data_access.scope import scoped_projects

CHANGES = ("new", "changed", "unchanged")
CHUNK = 500  # ids per IN (...) list: well inside SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class ImportPlan:
    """What a commit would do: every row marked new / changed / unchanged (None: the row has a problem)."""

    kind: str
    sheet: str
    rows: pd.DataFrame  # the typed rows (same index) + "change" + "before" (the changed fields' stored values)
    problems: list[Problem]
    counts: Mapping[str, int]


@dataclass
class Planned:
    """A plan and what committing it needs: the rows to write, keyed by ids (index: the rows' numbers)."""

    plan: ImportPlan
    resolved: pd.DataFrame  # key ids, the values to store, existing_id, change, before, entity_key
    project_ids: tuple[int, ...] = ()  # the projects whose data a commit changes
    named_project_ids: tuple[int, ...] = ()  # the projects the rows name, changed or not


@dataclass
class Findings:
    """Problems collected row by row; a row with any problem is left out of the plan."""

    sheet: str
    problems: list[Problem] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)

    def add(self, row: object, column: str | None, zh: str, en: str, value: object = "") -> None:
        number = int(row)  # type: ignore[call-overload]
        self.problems.append(Problem(self.sheet, number, column, zh, en, "" if value is None else str(value)))
        self.bad_rows.add(number)

    def add_where(self, mask: pd.Series, frame: pd.DataFrame, column: str | None,
                  words: Callable[[dict[str, Any]], tuple[str, str]]) -> None:
        """A problem for every row where ``mask`` holds; ``words(row)`` gives (zh, en)."""
        chosen = frame[mask.to_numpy(dtype=bool)]
        for number, row in zip(chosen.index, chosen.to_dict("records"), strict=True):
            zh, en = words(row)
            self.add(number, column, zh, en, row[column] if column else "")


def plain(value: Any) -> Any:
    """A Python value for JSON and bound parameters: numpy scalars unwrapped, NaN / NaT as None."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def is_blank(series: pd.Series) -> pd.Series:
    """True where a typed cell is empty (None, NaN or an empty string)."""
    blank = series.isna()
    if pd.api.types.is_string_dtype(series):
        blank |= series.astype(str).str.strip().eq("")
    return blank


def objects(series: pd.Series) -> pd.Series:
    """The series as Python objects with None where it is empty (what a bound parameter and JSON need)."""
    return series.astype(object).where(series.notna(), None)


def joined(*parts: pd.Series) -> pd.Series:
    """The parts' values joined with "/" row by row (a row's key as people read it: code/code/2026-03)."""
    index = parts[0].index
    return pd.Series(["/".join(map(str, values)) for values in zip(*(part.tolist() for part in parts), strict=True)],
                     index=index, dtype=object)


def with_columns(kind: str, rows: pd.DataFrame) -> pd.DataFrame:
    """The typed rows with every layout column present (an absent optional column is empty)."""
    frame = rows.copy()
    for column in LAYOUTS[kind].columns:
        if column.name not in frame.columns:
            frame[column.name] = None
    return frame


def unplannable(kind: str, frame: pd.DataFrame) -> pd.Series:
    """Rows missing a required value: validation has already reported the cell, the plan leaves them out."""
    required = [column.name for column in LAYOUTS[kind].columns if column.required]
    mask = pd.Series(False, index=frame.index)
    for name in required:
        mask |= is_blank(frame[name])
    return mask


def chunks(values: Sequence[Any]) -> Iterable[list[Any]]:
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


@dataclass(frozen=True)
class ProjectRef:
    id: int
    planned_start: dt.date
    planned_end: dt.date
    actual_start: dt.date | None
    actual_end: dt.date | None
    region_id: int


def projects_in_scope(session: Session, actor: Viewer, codes: Iterable[str]) -> dict[str, ProjectRef]:
    """{code: project} for the codes that name a project the actor may see (one query per 500 codes)."""
    found: dict[str, ProjectRef] = {}
    for part in chunks(sorted({code for code in codes if isinstance(code, str)})):
        statement = scoped_projects(actor, Project.code, Project.id, Project.planned_start, Project.planned_end,
                                    Project.actual_start, Project.actual_end, Project.region_id
                                    ).where(Project.code.in_(part))
        for row in session.execute(statement):
            found[row.code] = ProjectRef(row.id, row.planned_start, row.planned_end, row.actual_start,
                                         row.actual_end, row.region_id)
    return found


def report_unknown_projects(findings: Findings, frame: pd.DataFrame, column: str,
                            projects: Mapping[str, ProjectRef]) -> None:
    """The same words for a code that does not exist and one outside the actor's area."""
    findings.add_where(~frame[column].isin(list(projects)), frame, column, lambda row: (
        f"项目编码 {row[column]} 不存在或不在您的管辖范围内",
        f"Project code {row[column]} does not exist or is outside your area"))


@dataclass(frozen=True)
class IndicatorRef:
    id: int
    level: int
    retired: bool


def indicators_by_code(session: Session, codes: Iterable[str]) -> dict[str, IndicatorRef]:
    found: dict[str, IndicatorRef] = {}
    for part in chunks(sorted({code for code in codes if isinstance(code, str)})):
        statement = select(Indicator.code, Indicator.id, Indicator.level, Indicator.retired_at).where(
            Indicator.code.in_(part))
        for row in session.execute(statement):
            found[row.code] = IndicatorRef(row.id, row.level, row.retired_at is not None)
    return found


def report_bad_indicators(findings: Findings, frame: pd.DataFrame, column: str,
                          indicators: Mapping[str, IndicatorRef]) -> None:
    """Only level-3 indicators take data; retired ones stay in history and take no more."""
    measured = {code for code, ref in indicators.items() if ref.level == 3}
    retired = {code for code, ref in indicators.items() if ref.level == 3 and ref.retired}
    findings.add_where(~frame[column].isin(list(measured)), frame, column, lambda row: (
        f"指标编码 {row[column]} 不存在，或不是可填报数据的三级指标",
        f"Indicator code {row[column]} does not exist or is not a level-3 indicator that takes data"))
    findings.add_where(frame[column].isin(list(retired)), frame, column, lambda row: (
        f"指标 {row[column]} 已停用，不再接收新数据",
        f"Indicator {row[column]} is retired and takes no new data"))


class ProjectRows(NamedTuple):
    """A file's plannable rows, keyed by project code (and indicator code), and what the codes name."""

    findings: Findings
    usable: pd.DataFrame
    projects: Mapping[str, ProjectRef]
    indicators: Mapping[str, IndicatorRef]


def project_rows(session: Session, actor: Viewer, kind: str, rows: pd.DataFrame, sheet: str) -> ProjectRows:
    """Start a plan of a kind keyed by project: codes resolved in bulk, and those that name nothing (or nothing
    in the actor's scope) reported; indicator codes too where the kind has them."""
    frame = with_columns(kind, rows)
    findings = Findings(sheet)
    usable = frame[~unplannable(kind, frame)]
    projects = projects_in_scope(session, actor, usable["project_code"].unique())
    report_unknown_projects(findings, usable, "project_code", projects)
    indicators: dict[str, IndicatorRef] = {}
    if "indicator_code" in usable.columns:
        indicators = indicators_by_code(session, usable["indicator_code"].unique())
        report_bad_indicators(findings, usable, "indicator_code", indicators)
    return ProjectRows(findings, usable, projects, indicators)


def active_users_by_name(session: Session, usernames: Iterable[str]) -> dict[str, tuple[int, str]]:
    """{username: (id, role)} of active users."""
    found: dict[str, tuple[int, str]] = {}
    for part in chunks(sorted({name for name in usernames if isinstance(name, str)})):
        statement = select(User.username, User.id, User.role).where(User.username.in_(part),
                                                                    User.is_active.is_(True))
        found.update({row.username: (row.id, row.role) for row in session.execute(statement)})
    return found


def report_duplicates(findings: Findings, frame: pd.DataFrame, kind: str) -> None:
    """A row with the same key as an earlier one (the file would say two things about one stored row), in the
    words validation uses for it, so a preview showing both stages' problems can drop the repeat."""
    key = LAYOUTS[kind].key
    if frame.empty:
        return
    keys = frame[list(key)].astype(str)
    repeated = keys.duplicated(keep="first")
    if not repeated.any():
        return
    first_of: dict[tuple[str, ...], int] = {}
    key_of: dict[int, tuple[str, ...]] = {}
    for number, values in zip(keys.index, keys.itertuples(index=False, name=None), strict=True):
        first_of.setdefault(values, int(number))
        key_of[int(number)] = values
    headers = [LAYOUTS[kind].column(name) for name in key]
    key_zh = "、".join(f"「{column.header_zh}」" for column in headers)
    key_en = " / ".join(column.header_en for column in headers)
    for number in keys.index[repeated.to_numpy()]:
        first = first_of[key_of[int(number)]]
        findings.add(number, None, f"与第 {first} 行的{key_zh}相同。", f"Same key ({key_en}) as row {first}.")


def finish(kind: str, sheet: str, rows: pd.DataFrame, findings: Findings, resolved: pd.DataFrame) -> Planned:
    """Assemble the plan: the typed rows with their change and the stored values they replace, and the projects
    whose data a commit would change (their warnings are evaluated again afterwards)."""
    resolved = resolved[~resolved.index.isin(list(findings.bad_rows))]
    shown = rows.copy()
    shown["change"] = resolved["change"].reindex(shown.index).astype(object).where(
        shown.index.isin(resolved.index), None)
    shown["before"] = resolved["before"].reindex(shown.index).astype(object).where(
        shown.index.isin(resolved.index), None)
    counts = {change: int((resolved["change"] == change).sum()) for change in CHANGES}
    problems = sorted(findings.problems, key=lambda problem: (problem.row or 0, problem.column or ""))
    plan = ImportPlan(kind=kind, sheet=sheet, rows=shown, problems=problems, counts=counts)
    written = resolved[resolved["change"] != "unchanged"]
    return Planned(plan=plan, resolved=resolved, project_ids=_projects_of(written),
                   named_project_ids=_projects_of(resolved))


def _projects_of(rows: pd.DataFrame) -> tuple[int, ...]:
    ids = rows["project_id"] if "project_id" in rows else rows["existing_id"]  # projects: their own id
    return tuple(sorted({int(i) for i in ids.dropna()}))
