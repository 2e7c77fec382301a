"""Committing an import: all rows or none, in one transaction, with a batch that can be rolled back.

The plan is made again inside the write transaction; any problem refuses the whole file. Rows are written
with bulk statements (100,000 figures in a few seconds on SQLite). Every row the batch creates or changes gets
an ImportChange (before / after) to roll back from; the audit log gets one ``import.commit`` entry for the
batch and one entry per *changed* row (new rows are covered by the batch entry and its ImportChange rows).
A new project gets its category's template targets, as one made with the register's form does.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data_access import audit
from data_access.db import only_within_projects, transaction
from data_access.errors import ValidationError, VersionConflict
from data_access.imports.base import Planned, chunks, plain
from data_access.imports.entities import PROJECT, Entity, audit_id, json_ready, rows_of, to_json
from data_access.imports.plan import plan_in, planner_for
from data_access.imports.problems import Problem
from data_access.models import ImportBatch, ImportChange, Project
from data_access.policy import Action, Viewer, require
from data_access.register import add_template_targets

SOURCES = ("upload", "cli", "api")
SHA256 = re.compile(r"[0-9a-f]{64}")
FILENAME_LIMIT = 255


@dataclass(frozen=True)
class ImportBatchResult:
    batch_id: int
    counts: Mapping[str, int]
    project_ids: tuple[int, ...]  # the projects whose data changed: re-evaluate their warnings


class ImportRejected(ValidationError):
    """The file has problems; nothing was imported. ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        count = len(problems)
        super().__init__(f"{count} problem(s), nothing was imported", message_zh=f"{count} 处问题，未导入任何数据")
        self.problems = problems


def _batch_fields(filename: object, sha256: object, source: object) -> str:
    """The file name to record (its last 255 characters: the name only describes the batch)."""
    if source not in SOURCES:
        raise ValidationError(f"Unknown source {source!r:.20}", message_zh="未知的数据来源")
    if not isinstance(filename, str) or not filename.strip():
        raise ValidationError("The file has no name", message_zh="文件名为空")
    if not isinstance(sha256, str) or not SHA256.fullmatch(sha256):
        raise ValidationError("The file's SHA-256 must be 64 lowercase hex digits", message_zh="文件校验值无效")
    return filename.strip()[-FILENAME_LIMIT:]


def _unplanned(planned: Planned) -> list[Problem]:
    """Rows the plan left out without a problem of its own: a required cell validation already refused."""
    rows = planned.plan.rows
    flagged = {problem.row for problem in planned.plan.problems}
    missing = rows.index[rows["change"].isna().to_numpy()]
    return [Problem(planned.plan.sheet, int(number), None, "该行有必填项为空或无效", "This row has an empty or "
                    "invalid required cell") for number in missing if int(number) not in flagged]


def commit_import(engine: Engine, actor: Viewer, kind: str, rows: pd.DataFrame, *, sheet: str, filename: str,
                  sha256: str, source: str = "upload", api_token_id: int | None = None,
                  idempotency_key: str | None = None) -> ImportBatchResult:
    """Write every new and changed row of the file, or nothing (:class:`ImportRejected` with every problem).

    An API push names its token and Idempotency-Key: a second batch with both the same breaks the batches'
    UNIQUE constraint and is refused like any concurrent write (:class:`VersionConflict`, nothing written).
    """
    require(actor, Action.IMPORT_DATA)
    _, entity = planner_for(kind)
    filename = _batch_fields(filename, sha256, source)
    batch = ImportBatch(filename=filename, source=source, uploaded_by=actor.person_id, row_count=len(rows),
                        status="applied", kind=kind, sha256=sha256, api_token_id=api_token_id,
                        idempotency_key=idempotency_key)
    try:
        with transaction(engine) as session:
            return _commit(session, actor, entity, batch, rows, sheet)
    except IntegrityError as exc:  # PostgreSQL: another import or entry wrote one of these rows meanwhile
        raise VersionConflict("Someone else changed these rows while the file was being imported; nothing was "
                              "imported, check the file again",
                              message_zh="导入期间有人修改了相同的数据，未导入任何数据，请重新检查后再导入") from exc


def _commit(session: Session, actor: Viewer, entity: Entity, batch: ImportBatch, rows: pd.DataFrame,
            sheet: str) -> ImportBatchResult:
    planned = plan_in(session, actor, batch.kind, rows, sheet)
    problems = planned.plan.problems + _unplanned(planned)
    if problems:
        raise ImportRejected(problems)
    counts = dict(planned.plan.counts)
    batch.uploaded_at = now = dt.datetime.now(dt.UTC)
    batch.new_rows, batch.changed_rows, batch.unchanged_rows = counts["new"], counts["changed"], counts["unchanged"]
    session.add(batch)
    session.flush()
    stamp = _stamp(entity, actor, batch, now)
    written = planned.resolved[planned.resolved["change"] != "unchanged"]
    _write(session, entity, written, stamp)
    _record_changes(session, entity, batch.id, written, stamp)
    after = {"kind": batch.kind, "filename": batch.filename, "sha256": batch.sha256, "counts": counts,
             "source": batch.source}
    if entity is PROJECT:  # a new project gets its category's template targets, as from the register's form
        created = written.loc[written["change"] == "new", "code"].tolist()
        after["template_targets"] = add_template_targets(session, _project_ids(session, created))
    else:  # figures, milestones, targets: the projects' own data (their districts' pages alone go stale). A file
        # that changes nothing (an integrator sending the month again) still records its batch: declared within
        # the projects it names, so that it moves their districts' versions, not the whole database's, which
        # would empty every scope's cached pages on every server.
        only_within_projects(session, planned.project_ids or planned.named_project_ids)
    audit.append(session, actor=actor, action="import.commit", entity="import_batch", entity_id=batch.id,
                 after=after)
    changed = written[written["change"] == "changed"].to_dict("records")
    audit.append_many(session, actor=actor, action=f"{entity.name}.import", entity=entity.name, now=now,
                      entries=[(audit_id(entity, {**row, "id": row["existing_id"]}), row["before"],
                                {name: plain(row[name]) for name in row["before"]}) for row in changed])
    return ImportBatchResult(batch_id=batch.id, counts=counts, project_ids=planned.project_ids)


def _project_ids(session: Session, codes: list[str]) -> list[int]:
    return [project_id for part in chunks(codes)
            for project_id in session.execute(select(Project.id).where(Project.code.in_(part))).scalars()]


def _stamp(entity: Entity, actor: Viewer, batch: ImportBatch, now: dt.datetime) -> dict[str, Any]:
    """The bookkeeping a write sets (observations: imported or pushed through the API, by whom, when, in which
    batch)."""
    values = {"source": "api" if batch.source == "api" else "import", "import_batch_id": batch.id,
              "entered_by": actor.person_id, "entered_at": now, "updated_at": now}
    return {name: values[name] for name in entity.bookkeeping}


def _write(session: Session, entity: Entity, written: pd.DataFrame, stamp: Mapping[str, Any]) -> None:
    new = written[written["change"] == "new"]
    if not new.empty:
        session.execute(insert(entity.table), [{**row, **stamp} for row in rows_of(new, [*entity.key,
                                                                                         *entity.fields])])
    changed = written[written["change"] == "changed"]
    update_rows(session, entity, [{**row, **stamp} for row in rows_of(changed.assign(id=changed["existing_id"]),
                                                                         ["id", *entity.fields])])


def update_rows(session: Session, entity: Entity, records: list[dict[str, Any]]) -> None:
    """One executemany UPDATE by id; versioned rows move their version on (an open editor sees a conflict)."""
    if not records:
        return
    table = entity.table
    names = [name for name in records[0] if name != "id"]
    values: dict[str, Any] = {name: bindparam(f"new_{name}") for name in names}
    if entity.versioned:
        values["version"] = table.c.version + 1
    statement = update(table).where(table.c.id == bindparam("row_id")).values(values)
    session.execute(statement, [{"row_id": record["id"], **{f"new_{name}": record[name] for name in names}}
                                for record in records])


def _record_changes(session: Session, entity: Entity, batch_id: int, written: pd.DataFrame,
                    stamp: Mapping[str, Any]) -> None:
    """An ImportChange per created or changed row: its key (ids) and stored values before and after."""
    stamp_json = {name: json_ready(value) for name, value in stamp.items()}
    afters = rows_of(written, [*entity.key, *entity.fields], for_json=True)
    befores = [None if old is None else {**{name: after[name] for name in entity.key},
                                          **{name: json_ready(value) for name, value in old.items()}}
               for after, old in zip(afters, written["old"].tolist(), strict=True)]
    records = [{"batch_id": batch_id, "seq": seq, "entity": entity.name, "entity_key": entity_key,
                "before": None if before is None else to_json(before), "after": to_json({**after, **stamp_json})}
               for seq, (after, before, entity_key) in enumerate(zip(afters, befores, written["entity_key"].tolist(),
                                                                     strict=True), start=1)]
    if records:
        session.execute(insert(ImportChange.__table__), records)
