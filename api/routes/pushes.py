"""Pushes (写入): monthly figures and milestone progress, one item or a batch, and a pushed batch's status.

Every POST needs an ``Idempotency-Key`` header (1–100 printable ASCII characters, e.g. a UUID per batch): a retry
with the same key and body answers the first push (200, ``Idempotent-Replayed: true``) and writes nothing. The
commands are in :mod:`services.api_pushes`; this module only speaks HTTP.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, Strict

from api.auth import caller, engine_of
from api.errors import ApiRefusal, ErrorItem, ErrorResponse
from api.limits import ApiLimits
from data_access.api_tokens import TokenActor
from services.api_pushes import (
    IdempotencyKeyReused,
    PushRejected,
    PushResult,
    import_status,
    push_milestone_progress,
    push_observations,
)

router = APIRouter(prefix="/api/v1", tags=["pushes"])

Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Code = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[^\x00-\x1f\x7f]+$",
                            description="as the register writes it (no control characters)")]
IdempotencyKey = Annotated[str, Header(
    alias="Idempotency-Key", min_length=1, max_length=100, pattern=r"^[\x20-\x7e]+$",
    description="Names this push: a retry with the same key and body is answered from the first push and writes "
                "nothing; the same key with another body is refused (409). Use a new key (e.g. a UUID) per batch.",
    examples=["finance-2026-10-410202"])]
REFUSALS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body is not JSON (or not UTF-8)"},
    401: {"model": ErrorResponse, "description": "No token, or a wrong, revoked or expired one"},
    403: {"model": ErrorResponse, "description": "The token lacks this scope"},
    409: {"model": ErrorResponse, "description": "The Idempotency-Key was used for another body "
                                                 "(idempotency_key_reused), or the same rows were written by someone "
                                                 "else at that moment (conflict: send it again)"},
    413: {"model": ErrorResponse, "description": "The body is over the size limit"},
    422: {"model": ErrorResponse, "description": "Bad items (every problem, by item index and field); nothing was "
                                                 "written"},
    429: {"model": ErrorResponse, "description": "Over the token's calls per minute; see Retry-After",
          "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}},
}


class ObservationItem(BaseModel):
    """One month's figure of one KPI of one project."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"project_code": "P410202-00007", "indicator_code": "BUDGET_EXEC", "period": "2026-10", "value": 82.5}]})

    project_code: Code
    indicator_code: Code = Field(description="a level-3 indicator's code")
    period: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", examples=["2026-11"],
                        description="the month, YYYY-MM (inside the project's reporting span)")
    value: Number


class ObservationBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[ObservationItem] = Field(min_length=1, description="at most PERFDASH_API_MAX_ITEMS items (50,000)")


class MilestoneProgressItem(BaseModel):
    """Progress of an existing milestone (its project's code and its number): percent complete, actual end, or both."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"project_code": "P410202-00007", "seq": 3, "percent_complete": 60.0},
        {"project_code": "P410202-00007", "seq": 2, "percent_complete": 100.0, "actual_end": "2026-10-06"}]})

    project_code: Code
    seq: Annotated[int, Strict()] = Field(ge=1, le=10_000, description="the milestone's number in its project")
    percent_complete: Number | None = Field(None, description="0 to 100")
    actual_end: dt.date | None = Field(None, description="the day it was finished, YYYY-MM-DD")


class MilestoneProgressBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[MilestoneProgressItem] = Field(min_length=1,
                                               description="at most PERFDASH_API_MAX_ITEMS items (50,000)")


class PushAnswer(BaseModel):
    """The batch a push made (or, replayed, the batch its Idempotency-Key made first)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"batch_id": 42, "kind": "observations", "new": 93, "changed": 0, "unchanged": 0, "projects": 6}]})

    batch_id: int
    kind: Literal["observations", "milestones"]
    new: int = Field(description="items that made a new row")
    changed: int = Field(description="items that changed a stored value")
    unchanged: int = Field(description="items equal to what was stored")
    projects: int = Field(description="how many projects the items name")


class ImportStatusAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"batch_id": 42, "kind": "observations", "status": "applied", "items": 93, "new": 93, "changed": 0,
         "unchanged": 0, "received_at": "2026-11-30T08:40:12Z", "rolled_back_at": None,
         "idempotency_key": "finance-2026-10-410202", "token": "财政局 finance"}]})

    batch_id: int
    kind: Literal["observations", "milestones"]
    status: Literal["applied", "rolled_back"]
    items: int
    new: int
    changed: int
    unchanged: int
    received_at: dt.datetime
    rolled_back_at: dt.datetime | None
    idempotency_key: str | None
    token: str = Field(description="the token that pushed it")


Push = Callable[..., PushResult]
PUSH_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": PushAnswer, "description": "A retry with the same Idempotency-Key and body: the first push's "
                                              "answer, nothing written",
          "headers": {"Idempotent-Replayed": {"description": "true", "schema": {"type": "string"}}}},
    **REFUSALS,
}


def _limits(request: Request) -> ApiLimits:
    limits: ApiLimits = request.app.state.limits
    return limits


def _pushed(request: Request, actor: TokenActor, push: Push,
            items: Sequence[Mapping[str, Any]], key: str, body: object) -> PushAnswer | JSONResponse:
    """Run ``push`` and answer it: 201, or 200 with ``Idempotent-Replayed: true`` for a retry."""
    request.state.items = len(items)
    limit = _limits(request).max_items
    if len(items) > limit:
        raise ApiRefusal(422, "too_many_items", f"At most {limit:,} items per call; this one has {len(items):,}",
                         f"每次最多 {limit:,} 项，本次有 {len(items):,} 项，请分批发送")
    try:
        result = push(engine_of(request), actor, items, idempotency_key=key, body=body)
    except PushRejected as rejected:
        raise ApiRefusal(422, "invalid_items", str(rejected), rejected.message_zh, items=[
            ErrorItem(index=p.index, field=p.field, message=p.message, message_zh=p.message_zh)
            for p in rejected.problems]) from None
    except IdempotencyKeyReused as reused:
        raise ApiRefusal(409, "idempotency_key_reused", str(reused), reused.message_zh) from None
    request.state.batch_id = result.batch_id
    answer = PushAnswer(batch_id=result.batch_id, kind=result.kind, new=result.new, changed=result.changed,
                        unchanged=result.unchanged, projects=result.projects)
    if result.replayed:
        return JSONResponse(answer.model_dump(mode="json"), status_code=200, headers={"Idempotent-Replayed": "true"})
    return answer


@router.post("/observations", status_code=201, response_model=PushAnswer, responses=PUSH_RESPONSES,
             summary="Push one monthly figure")
def post_observation(request: Request, item: ObservationItem, idempotency_key: IdempotencyKey,
                     actor: Annotated[TokenActor, Depends(caller("write_observations"))]) -> PushAnswer | JSONResponse:
    """One figure, checked like a row of the 月度数据 import: a project in the token's region, a level-3 indicator
    (plans such as PROG_PLAN are not taken from the API), the value in the indicator's range, the month inside
    the project's reporting span. Scope ``write_observations``."""
    body = item.model_dump(mode="json")
    return _pushed(request, actor, push_observations, [body], idempotency_key, body)


@router.post("/observations/batch", status_code=201, response_model=PushAnswer, responses=PUSH_RESPONSES,
             summary="Push monthly figures, all or nothing")
def post_observations(request: Request, batch: ObservationBatch, idempotency_key: IdempotencyKey,
                      actor: Annotated[TokenActor, Depends(caller("write_observations"))]
                      ) -> PushAnswer | JSONResponse:
    """A month of figures (or any set of them) as one import batch: every item is checked as a row of the
    月度数据 import, and one bad item refuses them all (422, every problem with its item's index and field).
    Stored with source ``api``; the batch can be rolled back on the import page. Scope ``write_observations``."""
    body = batch.model_dump(mode="json")
    return _pushed(request, actor, push_observations, body["items"], idempotency_key, body)


@router.post("/milestones/progress", status_code=201, response_model=PushAnswer, responses=PUSH_RESPONSES,
             summary="Push one milestone's progress")
def post_milestone_progress(request: Request, item: MilestoneProgressItem,
                            idempotency_key: IdempotencyKey,
                            actor: Annotated[TokenActor, Depends(caller("write_milestones"))]
                            ) -> PushAnswer | JSONResponse:
    """Percent complete and/or actual end of an existing milestone, checked like a row of the 里程碑 import
    (its names and planned dates stay as stored). Scope ``write_milestones``."""
    body = item.model_dump(mode="json")
    return _pushed(request, actor, push_milestone_progress, [item.model_dump()], idempotency_key, body)


@router.post("/milestones/progress/batch", status_code=201, response_model=PushAnswer, responses=PUSH_RESPONSES,
             summary="Push milestones' progress, all or nothing")
def post_milestones_progress(request: Request, batch: MilestoneProgressBatch,
                             idempotency_key: IdempotencyKey,
                             actor: Annotated[TokenActor, Depends(caller("write_milestones"))]
                             ) -> PushAnswer | JSONResponse:
    """Progress of several milestones as one import batch, all or nothing (422 with every bad item's index and
    field). Scope ``write_milestones``."""
    return _pushed(request, actor, push_milestone_progress, [item.model_dump() for item in batch.items],
                   idempotency_key, batch.model_dump(mode="json"))


@router.get("/imports/{batch_id}", response_model=ImportStatusAnswer, summary="A pushed batch's status",
            responses={404: {"model": ErrorResponse, "description": "No such batch of this token"},
                       **{status: REFUSALS[status] for status in (401, 403, 429)},
                       422: {"model": ErrorResponse, "description": "The batch id is not a whole number"}})
def get_import(request: Request, batch_id: Annotated[int, Path(description="the batch_id a push answered")],
               actor: Annotated[TokenActor, Depends(caller("read"))]) -> ImportStatusAnswer:
    """What a push did and whether it still stands (``rolled_back`` once an admin undid it). A token sees only its
    own batches. Scope ``read``."""
    return ImportStatusAnswer(**dataclasses.asdict(import_status(engine_of(request), actor, batch_id)))
