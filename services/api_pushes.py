"""API pushes (开放接口写入): another system's monthly figures or milestone progress, committed as one import batch.

A push is an import without a file: its items become the import's typed table (``validate``), are planned and
committed by the same store (:func:`data_access.imports.commit_import`), in the token's scope, all or nothing.
A problem's row is the item's index in the request, so every refusal names the item and its field.

A push is named by its token and ``Idempotency-Key``. Sent again with the same key and the same body (a retry
over a flaky network) it answers the first push's batch and writes nothing; the same key with another body is
refused (:class:`IdempotencyKeyReused`). Two pushes with one key at the same moment make one batch: the batches'
UNIQUE (api_token_id, idempotency_key) refuses the second inside its transaction, which then answers the first.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Engine

from data_access.api_tokens import TokenActor
from data_access.audit import canonical_json
from data_access.errors import NotFound, ValidationError, VersionConflict
from data_access.imports import LAYOUTS, ImportRejected, Problem, api_batch, commit_import, plan_import
from data_access.imports.batches import REFUSAL as BATCH_REFUSAL
from data_access.imports.milestones import stored_milestones
from services.importing.pipeline import refresh_warnings
from services.importing.reading import RawTable
from services.importing.validation import validate

SHEET = "api"  # the sheet name an API push's problems carry (they are told by item index, not by sheet)
IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,100}")
Kind = Literal["observations", "milestones"]
OBSERVATIONS: Kind = "observations"
MILESTONES: Kind = "milestones"


@dataclass(frozen=True)
class ItemProblem:
    """One thing wrong with one item: ``index`` in the request's items (None: the whole push)."""

    index: int | None
    field: str | None
    message: str
    message_zh: str


class PushRejected(ValidationError):
    """The push has problems; nothing was written. ``problems`` lists every one, by item."""

    def __init__(self, problems: list[ItemProblem]) -> None:
        count = len(problems)
        super().__init__(f"{count} problem(s) in the items; nothing was written",
                         message_zh=f"数据项中有 {count} 处问题，未写入任何数据")
        self.problems = problems


class IdempotencyKeyReused(VersionConflict):
    """The Idempotency-Key named an earlier push with another body."""


@dataclass(frozen=True)
class PushResult:
    """What a push did (or, replayed, what the first push with its key did)."""

    batch_id: int
    kind: Kind
    new: int
    changed: int
    unchanged: int
    projects: int  # how many projects the items name
    replayed: bool


@dataclass(frozen=True)
class ImportStatus:
    """A pushed batch as its token sees it."""

    batch_id: int
    kind: Kind
    status: Literal["applied", "rolled_back"]
    items: int
    new: int
    changed: int
    unchanged: int
    received_at: dt.datetime
    rolled_back_at: dt.datetime | None
    idempotency_key: str | None
    token: str


def body_sha256(body: object) -> str:
    """The request body's fingerprint: SHA-256 of its canonical JSON (key order and spacing do not count)."""
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()


def checked_idempotency_key(key: object) -> str:
    """The key as sent, when it is 1 to 100 printable ASCII characters."""
    if not isinstance(key, str) or not IDEMPOTENCY_KEY.fullmatch(key):
        raise ValidationError("The Idempotency-Key header must be 1 to 100 printable ASCII characters",
                              message_zh="请求头 Idempotency-Key 须为 1 到 100 个可打印 ASCII 字符")
    return key


def push_observations(engine: Engine, token: TokenActor, items: Sequence[Mapping[str, Any]], *,
                      idempotency_key: str, body: object) -> PushResult:
    """Commit monthly figures ``{project_code, indicator_code, period: "YYYY-MM", value}`` as one batch."""
    rows = [{column.name: item.get(column.name) for column in LAYOUTS[OBSERVATIONS].columns} for item in items]
    return _push(engine, token, OBSERVATIONS, items, rows, [], idempotency_key=idempotency_key, body=body)


def push_milestone_progress(engine: Engine, token: TokenActor, items: Sequence[Mapping[str, Any]], *,
                            idempotency_key: str, body: object) -> PushResult:
    """Commit ``{project_code, seq, percent_complete?, actual_end?}`` of existing milestones as one batch.

    The rest of each import row (names, planned dates) is the stored milestone's, so the milestones planner
    checks the item as it checks a spreadsheet row; a milestone the token cannot see is an item problem.
    """
    stored = stored_milestones(engine, token.viewer, [(item["project_code"], item["seq"]) for item in items])
    rows: list[dict[str, Any] | None] = []
    problems: list[ItemProblem] = []
    for index, item in enumerate(items):
        code, seq = item["project_code"], item["seq"]
        milestone = stored.get((code, seq))
        if milestone is None:
            problems.append(ItemProblem(index, "seq", f"Project {code} has no milestone {seq}, or it is outside your "
                                        "area", f"项目 {code} 没有第 {seq} 个里程碑，或不在您的管辖范围内"))
        elif item.get("percent_complete") is None and item.get("actual_end") is None:
            problems.append(ItemProblem(index, "percent_complete", "Give percent_complete, actual_end or both",
                                        "须填写完成百分比（percent_complete）或实际完成日期（actual_end）"))
        rows.append(None if milestone is None else {
            "project_code": milestone["code"], "seq": milestone["seq"], "name_zh": milestone["name_zh"],
            "name_en": None, "planned_start": milestone["planned_start"], "planned_end": milestone["planned_end"],
            "actual_end": item.get("actual_end"), "percent_complete": item.get("percent_complete"), "owner": None})
    return _push(engine, token, MILESTONES, items, rows, problems, idempotency_key=idempotency_key, body=body)


def import_status(engine: Engine, token: TokenActor, batch_id: int) -> ImportStatus:
    """A batch this token pushed; another token's batch, or none, is the same :class:`NotFound`."""
    batch = api_batch(engine, token.token_id, batch_id=batch_id)
    if batch is None:
        raise NotFound(BATCH_REFUSAL[0], message_zh=BATCH_REFUSAL[1])
    return ImportStatus(batch_id=batch["id"], kind=batch["kind"], status=batch["status"], items=batch["row_count"],
                        new=batch["new_rows"], changed=batch["changed_rows"], unchanged=batch["unchanged_rows"],
                        received_at=_utc(batch["uploaded_at"]),
                        rolled_back_at=None if batch["rolled_back_at"] is None else _utc(batch["rolled_back_at"]),
                        idempotency_key=batch["idempotency_key"], token=token.name)


def _utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _push(engine: Engine, token: TokenActor, kind: Kind, items: Sequence[Mapping[str, Any]],
          rows: Sequence[Mapping[str, Any] | None], problems: list[ItemProblem], *, idempotency_key: str,
          body: object) -> PushResult:
    """Replay the key's batch, or check and commit ``rows`` (None: an item already refused) as a new one."""
    key = checked_idempotency_key(idempotency_key)
    digest = body_sha256(body)
    projects = len({item.get("project_code") for item in items})
    earlier = _replayed(engine, token, kind, key, digest, projects)
    if earlier is not None:
        return earlier
    table = RawTable(kind, SHEET, pd.DataFrame([row for row in rows if row is not None],
                                               index=[index for index, row in enumerate(rows) if row is not None],
                                               columns=[column.name for column in LAYOUTS[kind].columns]), ())
    typed, cell_problems = validate(table)
    if problems or cell_problems:  # the plan's problems too, so that every one is told at once
        planned = plan_import(engine, token.viewer, kind, typed, sheet=SHEET).problems if not typed.empty else []
        raise PushRejected(_sorted([*problems, *_on_items([*cell_problems, *_new_cells(planned, cell_problems)])]))
    try:
        result = commit_import(engine, token.viewer, kind, typed, sheet=SHEET,
                               filename=f"api:{token.name}:{key}", sha256=digest, source="api",
                               api_token_id=token.token_id, idempotency_key=key)
    except ImportRejected as rejected:
        raise PushRejected(_sorted(_on_items(rejected.problems))) from None
    except VersionConflict:  # perhaps a push with this key committed meanwhile: then that one is the answer
        concurrent = _replayed(engine, token, kind, key, digest, projects)
        if concurrent is None:
            raise
        return concurrent
    refresh_warnings(engine, result.project_ids)
    counts = result.counts
    return PushResult(result.batch_id, kind, counts["new"], counts["changed"], counts["unchanged"], projects,
                      replayed=False)


def _replayed(engine: Engine, token: TokenActor, kind: Kind, key: str, digest: str,
              projects: int) -> PushResult | None:
    """The earlier push with this key, when its body was this one; :class:`IdempotencyKeyReused` otherwise."""
    batch = api_batch(engine, token.token_id, idempotency_key=key)
    if batch is None:
        return None
    if batch["sha256"] != digest or batch["kind"] != kind:
        raise IdempotencyKeyReused(
            f"The Idempotency-Key {key!r} was used for another request (batch {batch['id']}); use a new key for "
            "new data", message_zh=f"Idempotency-Key “{key}”已用于另一请求（批次 {batch['id']}），新数据请换用新的键")
    return PushResult(batch["id"], kind, batch["new_rows"], batch["changed_rows"], batch["unchanged_rows"],
                      projects, replayed=True)


def _new_cells(found: Sequence[Problem], earlier: Sequence[Problem]) -> list[Problem]:
    """The plan's problems on cells validation has not named already (a bad number is not also "empty")."""
    named = {(problem.row, problem.column) for problem in earlier}
    return [problem for problem in found if (problem.row, problem.column) not in named]


def _on_items(problems: Sequence[Problem]) -> list[ItemProblem]:
    """Import problems told by item: the row is the item's index, the column its field."""
    return [ItemProblem(problem.row, problem.column, problem.message_en, problem.message_zh) for problem in problems]


def _sorted(problems: list[ItemProblem]) -> list[ItemProblem]:
    return sorted(problems, key=lambda problem: (-1 if problem.index is None else problem.index,
                                                 problem.field or ""))
