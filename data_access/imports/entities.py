"""The stored rows an import writes, compared with the file, and their values as JSON to roll back from.

An :class:`Entity` names a table, the columns that identify a row (ids, not codes: a code can change later),
the fields a file sets and the bookkeeping columns a write also sets (who, when, which batch). Comparing a
file with what is stored, writing it and restoring it are the same for every kind.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import pandas as pd
from sqlalchemy import Date, DateTime, Integer, Numeric, Table, select
from sqlalchemy.orm import Session

from data_access.audit import json_value
from data_access.imports.base import chunks, plain
from data_access.models import Milestone, Observation, Project, ProjectTarget


@dataclass(frozen=True)
class Entity:
    name: str  # the audit log's and ImportChange's entity
    table: Table
    key: tuple[str, ...]  # identifies a row; key[0] narrows the read of stored rows
    fields: tuple[str, ...]  # what the file sets: a difference makes the row "changed"
    bookkeeping: tuple[str, ...] = ()  # also set by a write and put back by a rollback
    versioned: bool = False  # a write moves ``version`` on, so open editors see a conflict
    kept_when_blank: tuple[str, ...] = ()  # an empty cell keeps the stored value (a partial file wipes nothing)

    @property
    def stored(self) -> tuple[str, ...]:
        return self.fields + self.bookkeeping


OBSERVATION = Entity("observation", Observation.__table__, ("project_id", "indicator_id", "period"), ("value",),
                     ("source", "import_batch_id", "entered_by", "entered_at"))
PROJECT_TARGET = Entity("project_target", ProjectTarget.__table__, ("project_id", "indicator_id"),
                        ("target_value", "baseline_value", "weight_override"),
                        kept_when_blank=("baseline_value", "weight_override"))
PROJECT = Entity("project", Project.__table__, ("code",),
                 ("name_zh", "name_en", "category_id", "region_id", "department_id", "manager_id", "budget",
                  "planned_start", "planned_end", "status", "lat", "lon", "description"), ("updated_at",),
                 versioned=True, kept_when_blank=("name_en", "department_id", "manager_id", "status", "lat", "lon",
                                                  "description"))
MILESTONE = Entity("milestone", Milestone.__table__, ("project_id", "seq"),
                   ("name_zh", "name_en", "planned_start", "planned_end", "actual_end", "percent_complete",
                    "owner_id"), versioned=True,
                   kept_when_blank=("name_en", "actual_end", "percent_complete", "owner_id"))


def audit_id(entity: Entity, row: Mapping[str, Any]) -> str:
    """The audit log's entity_id of a row, as the entry forms write it (``row``: key ids, ``id`` and, for
    observations and targets, ``indicator_code``)."""
    if entity is MILESTONE or entity is PROJECT:
        return str(int(row["id"]))
    if entity is PROJECT_TARGET:
        return f"{int(row['project_id'])}/{row['indicator_code']}"
    return f"{int(row['project_id'])}/{row['indicator_code']}/{row['period']:%Y-%m}"


def stored_rows(session: Session, entity: Entity, keys: pd.DataFrame) -> pd.DataFrame:
    """The stored rows with the keys in ``keys`` (id, key, stored fields), read in chunks of key[0] values."""
    table = entity.table
    columns = ["id", *entity.key, *entity.stored]
    parts = []
    first = entity.key[0]
    for part in chunks(sorted({plain(value) for value in keys[first].unique()})):
        statement = select(*(table.c[name] for name in columns)).where(table.c[first].in_(part))
        parts.append(pd.DataFrame([tuple(row) for row in session.execute(statement)], columns=columns))
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    if found.empty:  # nothing stored (or no key resolved): typed like the keys, or the merge refuses
        found = found.astype({name: keys[name].dtype for name in entity.key})
    return keys[list(entity.key)].reset_index(names="_row").merge(found, on=list(entity.key), how="inner")


def _differs(new: pd.Series, old: pd.Series) -> pd.Series:
    both_blank = new.isna() & old.isna()
    equal = pd.Series([a == b for a, b in zip(new.tolist(), old.tolist(), strict=True)], index=new.index,
                      dtype=bool)
    return ~(both_blank | equal)


def _stored_values(entity: Entity, name: str, series: pd.Series) -> list[Any]:
    """Stored values as Python values; integer columns as int again (a missing row made them float)."""
    values = column_values(series)
    if isinstance(entity.table.c[name].type, Integer):
        return [None if value is None else int(value) for value in values]
    return values


def compare(session: Session, entity: Entity, frame: pd.DataFrame, defaults: Mapping[str, pd.Series] | None = None
            ) -> pd.DataFrame:
    """Mark each row new / changed / unchanged against what is stored.

    ``frame`` holds the key and field columns (index: row numbers). A blank cell of ``kept_when_blank`` keeps the
    stored value (new rows: ``defaults`` or None). Adds existing_id, change, before (the changed fields' stored
    values) and old (every stored field, for the rollback record).
    """
    result = frame.copy()
    old = stored_rows(session, entity, frame).set_index("_row").reindex(frame.index)
    exists = old["id"].notna()
    for name in entity.kept_when_blank:
        blank = result[name].isna()
        result[name] = result[name].astype(object).where(~(blank & exists), old[name].astype(object))
        if defaults and name in defaults:
            result[name] = result[name].where(~(blank & ~exists), defaults[name])
    differs = {name: _differs(result[name].astype(object), old[name].astype(object)) for name in entity.fields}
    any_change = pd.concat(differs, axis=1).any(axis=1) if differs else pd.Series(False, index=frame.index)
    result["existing_id"] = old["id"].astype(object).where(exists, None)
    result["change"] = "new"
    result.loc[exists & any_change, "change"] = "changed"
    result.loc[exists & ~any_change, "change"] = "unchanged"
    is_changed = (result["change"] == "changed").to_numpy()
    positions = is_changed.nonzero()[0]
    flags = {name: differs[name].to_numpy()[is_changed] for name in entity.fields}
    columns = {name: _stored_values(entity, name, old[name][is_changed]) for name in entity.stored}
    before: list[dict[str, Any] | None] = [None] * len(result)
    stored: list[dict[str, Any] | None] = [None] * len(result)
    for k, position in enumerate(positions):
        before[position] = {name: columns[name][k] for name in entity.fields if flags[name][k]}
        stored[position] = {name: columns[name][k] for name in entity.stored}
    result["before"] = pd.Series(before, index=result.index, dtype=object)
    result["old"] = pd.Series(stored, index=result.index, dtype=object)
    return result


def json_ready(value: Any) -> Any:
    """A value as :func:`data_access.audit.canonical_json` writes it, converted up front (no per-value hook)."""
    return json_value(plain(value))


def column_values(series: pd.Series, *, for_json: bool = False) -> list[Any]:
    """A column as Python values, None where empty (for JSON: dates as ISO text), converted per distinct value:
    100,000 rows of a few months and codes take milliseconds, not a call per cell."""
    if series.dtype.kind in "biuf":
        return series.astype(object).where(series.notna(), None).tolist()
    convert = json_ready if for_json else plain
    lookup = {value: convert(value) for value in series.dropna().unique()}
    return series.map(lookup).astype(object).where(series.notna(), None).tolist()


def rows_of(frame: pd.DataFrame, columns: Sequence[str], *, for_json: bool = False) -> list[dict[str, Any]]:
    """The frame's rows as dicts of Python values (bound parameters; for JSON, see :func:`column_values`)."""
    values = [column_values(frame[name], for_json=for_json) for name in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def to_json(values: Mapping[str, Any]) -> str:
    """The canonical JSON of values already :func:`json_ready` (the same text as ``canonical_json`` gives)."""
    return _ENCODER.encode(values)


@cache
def parsers_of(entity: Entity) -> dict[str, Callable[[Any], Any]]:
    """How each column's JSON text becomes its value again (only columns that are not plain JSON)."""
    parsers: dict[str, Callable[[Any], Any]] = {}
    for column in entity.table.c:
        if isinstance(column.type, DateTime):
            parsers[column.name] = dt.datetime.fromisoformat  # "…Z" is UTC
        elif isinstance(column.type, Date):
            parsers[column.name] = dt.date.fromisoformat
        elif isinstance(column.type, Numeric) and column.type.asdecimal:
            parsers[column.name] = Decimal
    return parsers


def from_json(entity: Entity, text: str) -> dict[str, Any]:
    """Stored values back from JSON, typed as the table's columns (dates, timestamps, exact money)."""
    parsers = parsers_of(entity)
    values = json.loads(text)
    for name, parse in parsers.items():
        if values.get(name) is not None:
            values[name] = parse(values[name])
    return values


def same_values(entity: Entity, current: Mapping[str, Any], expected: Mapping[str, Any],
                names: Sequence[str]) -> bool:
    """Whether the stored row still holds what the batch wrote (floats compared exactly, as stored)."""
    parsers = parsers_of(entity)
    for name in names:
        a, b = plain(current.get(name)), expected.get(name)
        if parsers.get(name) is Decimal and a is not None and b is not None:
            a, b = Decimal(str(a)), Decimal(str(b))
        if a != b:
            return False
    return True
