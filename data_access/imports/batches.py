"""Import batches: which ones a viewer may see, the same file imported before, and rolling a batch back.

Admins and analysts see every batch; a district official sees the batches they uploaded (simple and safe:
a batch of theirs holds only rows of their region). A rollback restores every row the batch created or changed,
newest first, in one transaction, and refuses — writing nothing — when someone changed one of those rows since.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Engine, delete, exists, func, literal, select, true, update
from sqlalchemy.orm import Session, aliased

from data_access import audit
from data_access.db import transaction
from data_access.errors import NotFound, ValidationError, VersionConflict
from data_access.imports.base import chunks
from data_access.imports.commit import update_rows
from data_access.imports.entities import PROJECT, Entity, audit_id, from_json, same_values, stored_rows
from data_access.imports.plan import planner_for
from data_access.models import (
    Alert,
    ApiToken,
    CategoryTemplateItem,
    Goal,
    ImportBatch,
    ImportChange,
    Indicator,
    Milestone,
    Observation,
    Project,
    ProjectTarget,
    Rating,
    User,
)
from data_access.policy import Action, Viewer, allowed, require
from data_access.scope import as_id

REFUSAL = ("No such import batch, or you may not access it", "导入批次不存在或您无权访问")
API_BATCH_COLUMNS = ["id", "kind", "status", "sha256", "idempotency_key", "uploaded_at", "row_count", "new_rows",
                     "changed_rows", "unchanged_rows", "rolled_back_at"]
SHOWN_KEYS = 5  # how many changed rows a refused rollback names
BATCH_COLUMNS = ["id", "kind", "filename", "source", "sha256", "uploaded_at", "uploaded_by", "row_count",
                 "new_rows", "changed_rows", "unchanged_rows", "status", "rolled_back_at", "rolled_back_by"]


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    """Every batch for admins and analysts; an official's own uploads; nothing for anyone else."""
    if not allowed(viewer, Action.IMPORT_DATA):
        return ImportBatch.id.is_(None)
    if viewer.sees_everything:
        return true()
    return ImportBatch.uploaded_by == viewer.user_id


API_UPLOADER = "API · "  # an API push has no person: its token's name, e.g. "API · 财政系统"


def _batches(viewer: Viewer):
    uploader, rolled_back_by = aliased(User), aliased(User)
    by = func.coalesce(uploader.username, literal(API_UPLOADER) + ApiToken.name)
    return (select(ImportBatch.id, ImportBatch.kind, ImportBatch.filename, ImportBatch.source, ImportBatch.sha256,
                   ImportBatch.uploaded_at, by, ImportBatch.row_count, ImportBatch.new_rows,
                   ImportBatch.changed_rows, ImportBatch.unchanged_rows, ImportBatch.status,
                   ImportBatch.rolled_back_at, rolled_back_by.username)
            .outerjoin(uploader, uploader.id == ImportBatch.uploaded_by)
            .outerjoin(ApiToken, ApiToken.id == ImportBatch.api_token_id)
            .outerjoin(rolled_back_by, rolled_back_by.id == ImportBatch.rolled_back_by)
            .where(_visible(viewer)).order_by(ImportBatch.uploaded_at.desc(), ImportBatch.id.desc()))


def list_batches(engine: Engine, viewer: Viewer) -> pd.DataFrame:
    """The batches the viewer may see, newest first, with their counts and status (uploaded_by: a username, or
    ``API · <token name>`` for a push through the open API)."""
    with engine.connect() as connection:
        return pd.DataFrame(connection.execute(_batches(viewer)).all(), columns=BATCH_COLUMNS)


def applied_batch_with(engine: Engine, actor: Viewer, sha256: str) -> dict[str, Any] | None:
    """The newest applied (not rolled back) batch of this file the actor may see, or None."""
    if not isinstance(sha256, str):
        return None
    with engine.connect() as connection:
        row = connection.execute(_batches(actor).where(ImportBatch.sha256 == sha256,
                                                       ImportBatch.status == "applied").limit(1)).first()
    return None if row is None else dict(zip(BATCH_COLUMNS, row, strict=True))


def api_batch(engine: Engine, token_id: int, *, batch_id: int | None = None,
              idempotency_key: str | None = None) -> dict[str, Any] | None:
    """A batch this API token pushed, by its id or by its Idempotency-Key, or None: a token sees its own batches
    only (a batch of another token answers like a missing one)."""
    if batch_id is not None and as_id(batch_id) is None:  # cannot exist (PostgreSQL would refuse to compare)
        return None
    condition = (ImportBatch.id == batch_id) if batch_id is not None else (
        ImportBatch.idempotency_key == idempotency_key)
    with engine.connect() as connection:
        row = connection.execute(
            select(*(ImportBatch.__table__.c[name] for name in API_BATCH_COLUMNS))
            .where(ImportBatch.api_token_id == token_id, condition)).first()
    return None if row is None else dict(zip(API_BATCH_COLUMNS, row, strict=True))


def rollback_batch(engine: Engine, actor: Viewer, batch_id: int, expected_status: str = "applied"
                   ) -> tuple[int, ...]:
    """Undo a batch: delete the rows it created, put back the values it replaced; all or nothing. Returns the
    projects whose data changed back (their warnings are worth evaluating again).

    Refused (nothing written) when the batch was already rolled back (:class:`VersionConflict`), when a row
    it wrote holds something else now (:class:`ValidationError` naming the first rows), or when the batch was
    loaded without a record of what it changed (the demo's, or one from before migration 0005).
    """
    require(actor, Action.IMPORT_DATA)
    batch_id = _checked_batch_id(batch_id)
    with transaction(engine) as session:
        batch = session.execute(select(ImportBatch).where(ImportBatch.id == batch_id, _visible(actor))
                                .with_for_update()).scalar_one_or_none()  # two rollbacks at once: one waits
        if batch is None:
            raise NotFound(REFUSAL[0], message_zh=REFUSAL[1])
        if batch.status != expected_status or batch.status != "applied":
            raise VersionConflict(f"Import batch {batch_id} was already rolled back or changed; reload the list",
                                  message_zh="该导入批次已被回退或状态已变化，请刷新列表（未做任何修改）")
        if batch.sha256 is None:  # loaded by the demo or before migration 0005: no ImportChange to restore from
            raise ValidationError(f"Import batch {batch_id} was loaded before imports recorded what they change; "
                                  "it cannot be rolled back",
                                  message_zh="该批次由演示数据或早期版本载入，未记录导入前的数据，无法回退")
        _, entity = planner_for(batch.kind)
        restored = _restore(session, actor, entity, batch_id)
        now = dt.datetime.now(dt.UTC)
        session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(
            status="rolled_back", rolled_back_at=now, rolled_back_by=actor.person_id))
        audit.append(session, actor=actor, action="import.rollback", entity="import_batch", entity_id=batch_id,
                     before={"status": "applied"},
                     after={"status": "rolled_back", "kind": batch.kind, "filename": batch.filename,
                            "sha256": batch.sha256, "deleted": len(restored["deleted"]),
                            "restored": len(restored["restored"])})
    return tuple(sorted(restored["project_ids"]))


def _checked_batch_id(value: object) -> int:
    """Like ``scope.checked_id``: not a whole number is a ValidationError, an impossible one unknown."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"Batch id {value!r:.40} is not a whole number", message_zh="编号须为整数")
    if as_id(value) is None:
        raise NotFound(*REFUSAL[:1], message_zh=REFUSAL[1])
    return value


def _restore(session: Session, actor: Viewer, entity: Entity, batch_id: int) -> dict[str, Any]:
    """Put every row of the batch back; returns the deleted ids, the restored positions and the projects."""
    changes = session.execute(select(ImportChange.seq, ImportChange.entity_key, ImportChange.before,
                                     ImportChange.after).where(ImportChange.batch_id == batch_id)
                              .order_by(ImportChange.seq.desc())).all()
    if not changes:
        return {"deleted": [], "restored": [], "project_ids": set()}
    afters = [from_json(entity, change.after) for change in changes]
    keys = pd.DataFrame([{name: after[name] for name in entity.key} for after in afters])
    current = {record["_row"]: record for record in stored_rows(session, entity, keys).to_dict("records")}
    checked = [*entity.fields, *(name for name in entity.bookkeeping if name == "import_batch_id")]
    moved = [change.entity_key for position, change in enumerate(changes)
             if position not in current or not same_values(entity, current[position], afters[position], checked)]
    if moved:
        shown = "、".join(moved[:SHOWN_KEYS]) + ("…" if len(moved) > SHOWN_KEYS else "")
        raise ValidationError(
            f"{len(moved)} row(s) were changed after this import ({', '.join(moved[:SHOWN_KEYS])}); "
            "nothing was rolled back", message_zh=f"{len(moved)} 行在本次导入之后又被修改（{shown}），未回退任何数据")
    deleted = [int(current[position]["id"]) for position, change in enumerate(changes) if change.before is None]
    if entity is PROJECT:
        _refuse_projects_with_data(session, deleted)
    restores = [(position, from_json(entity, change.before)) for position, change in enumerate(changes)
                if change.before is not None]
    for part in chunks(deleted):
        session.execute(delete(entity.table).where(entity.table.c.id.in_(part)))
    update_rows(session, entity, [{"id": int(current[position]["id"]), **{name: before[name] for name in entity.stored}}
                                  for position, before in restores])
    codes = _indicator_codes(session, [after.get("indicator_id") for after in afters])
    audit.append_many(session, actor=actor, action=f"{entity.name}.restore", entity=entity.name, entries=[
        (audit_id(entity, {**afters[position], "id": current[position]["id"],
                           "indicator_code": codes.get(afters[position].get("indicator_id"))}),
         {name: afters[position][name] for name in entity.fields}, {name: before[name] for name in entity.fields})
        for position, before in restores])
    projects = {int(after["project_id"]) for after in afters} if "project_id" in entity.key else {
        int(current[position]["id"]) for position, _ in restores}
    return {"deleted": deleted, "restored": restores, "project_ids": projects}


def _refuse_projects_with_data(session: Session, project_ids: list[int]) -> None:
    """A project the batch created is deleted by its rollback only while nothing else hangs on it (deleting it
    would take milestones, targets, figures and warnings entered since with it)."""
    used: set[int] = set()
    for model in (Observation, Milestone, ProjectTarget, Alert, Goal, Rating):
        for part in chunks(project_ids):
            rows = select(model.project_id).where(model.project_id.in_(part)).distinct()
            if model is ProjectTarget:  # the template's targets, as the import gave them, came with the project
                rows = rows.where(~_as_the_template_gave_it())
            used.update(session.execute(rows).scalars())
    if used:
        codes = sorted(session.execute(select(Project.code).where(Project.id.in_(sorted(used)[:50]))).scalars())
        shown = "、".join(codes[:SHOWN_KEYS]) + ("…" if len(used) > SHOWN_KEYS else "")
        raise ValidationError(f"{len(used)} project(s) of this import have data entered since "
                              f"({', '.join(codes[:SHOWN_KEYS])}); nothing was rolled back",
                              message_zh=f"本次导入新建的 {len(used)} 个项目已有后来录入的数据（{shown}），"
                                         "未回退任何数据")


def _as_the_template_gave_it() -> ColumnElement[bool]:
    """A project target still equal to its category template's item (target and weight)."""
    return exists().where(Project.id == ProjectTarget.project_id,
                          CategoryTemplateItem.category_id == Project.category_id,
                          CategoryTemplateItem.indicator_id == ProjectTarget.indicator_id,
                          CategoryTemplateItem.target_value == ProjectTarget.target_value,
                          CategoryTemplateItem.weight == ProjectTarget.weight_override,
                          ProjectTarget.baseline_value.is_(None))


def _indicator_codes(session: Session, ids: list[Any]) -> dict[int, str]:
    wanted = sorted({int(value) for value in ids if value is not None})
    found: dict[int, str] = {}
    for part in chunks(wanted):
        found.update({row.id: row.code for row in session.execute(select(Indicator.id, Indicator.code)
                                                                  .where(Indicator.id.in_(part)))})
    return found
