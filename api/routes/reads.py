"""The read endpoints (scope ``read``): projects, scores with contributions, rankings, warnings and 整改.

Each reads as the token's viewer through :mod:`services.api_reads`, so a district's token sees what that
district's official sees; another district's project or warning is answered like one that does not exist.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from api.auth import caller, engine_of
from api.errors import ApiRefusal, ErrorItem, ErrorResponse
from api.read_models import (
    PERIOD_PATTERN,
    AlertStatus,
    ProjectDetail,
    ProjectPage,
    ProjectStatus,
    Ranking,
    Scores,
    Severity,
    WarningItem,
    Warnings,
)
from data_access.api_tokens import TokenActor
from data_access.scope import MAX_ID
from services import api_reads

router = APIRouter(prefix="/api/v1", tags=["read"])


def reader(request: Request, actor: Annotated[TokenActor, Depends(caller("read"))]) -> TokenActor:
    """The caller, who holds ``read``, asking with each query parameter the endpoint has at most once: a misspelt
    filter is refused rather than ignored (ignored, it would answer with more than was asked for), and so is a
    repeated one (only its last value would count)."""
    known = {parameter.alias for parameter in request.scope["route"].dependant.query_params}
    problems = [
        ErrorItem(field=f"query.{name}", message=f"query.{name}: not a parameter of this endpoint",
                  message_zh=f"query.{name}：不是此接口的参数") if name not in known else
        ErrorItem(field=f"query.{name}", message=f"query.{name}: given more than once",
                  message_zh=f"query.{name}：只能出现一次")
        for name in dict.fromkeys(request.query_params)
        if name not in known or len(request.query_params.getlist(name)) > 1]
    if problems:
        raise ApiRefusal(422, "invalid", "The request is not valid", "请求内容无效", items=problems)
    return actor


Reader = Annotated[TokenActor, Depends(reader)]
CODE = r"^[^\x00-\x1f\x7f]{1,30}$"  # a code as stored (at most 30 characters), never a control character


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


REFUSED: dict[int | str, dict[str, Any]] = {
    401: _error("No token, or a wrong, revoked or expired one (with WWW-Authenticate: Bearer)"),
    403: _error("The token lacks the read scope"),
    422: _error("A query value is not valid (each in items, in English and Chinese)"),
    429: {**_error("Over the token's calls per minute; see Retry-After"),
          "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: _error("No such object in the token's region (the same answer whether it exists elsewhere or not at all)")}
Limit = Annotated[int, Query(ge=1, le=1000, description="rows per page")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="rows to skip")]
Period = Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="YYYY-MM; default the latest month with data",
                                     examples=["2026-10"])]


@router.get("/projects", response_model=ProjectPage, responses=REFUSED, summary="Projects in the token's region")
def projects(request: Request, reader: Reader,
             region_code: Annotated[str | None, Query(pattern=CODE, description="A region's code: its projects "
                                                      "and those of its sub-regions", examples=["410202"])] = None,
             category_code: Annotated[str | None, Query(pattern=CODE, examples=["smart_city"])] = None,
             status: ProjectStatus | None = None,
             limit: Limit = api_reads.DEFAULT_PAGE, offset: Offset = 0) -> ProjectPage:
    """Projects ordered by code, one page at a time; ``total`` counts them all."""
    return ProjectPage.model_validate(api_reads.project_page(
        engine_of(request), reader.viewer, region_code=region_code, category_code=category_code, status=status,
        limit=limit, offset=offset))


@router.get("/projects/{code}", response_model=ProjectDetail, responses={**REFUSED, **NOT_FOUND},
            summary="One project with its milestones")
def project(request: Request, reader: Reader,
            code: Annotated[str, Path(pattern=CODE, examples=["P410202-00024"])]) -> ProjectDetail:
    return ProjectDetail.model_validate(api_reads.project_detail(engine_of(request), reader.viewer, code))


@router.get("/scores", response_model=Scores, responses=REFUSED,
            summary="Each project's score, grade, rank and what each indicator contributed")
def scores(request: Request, reader: Reader, period: Period = None, limit: Limit = api_reads.DEFAULT_PAGE,
           offset: Offset = 0) -> Scores:
    """The scorecards' numbers, a page at a time (``total`` counts every page): each project's contributions add
    up to its total."""
    return Scores.model_validate(api_reads.period_scores(engine_of(request), reader.viewer,
                                                         api_reads.parse_month(period), limit=limit, offset=offset))


@router.get("/rankings", response_model=Ranking, responses=REFUSED, summary="The ranking as the overview shows it")
def rankings(request: Request, reader: Reader, period: Period = None,
             by: Literal["project", "district"] = "project", limit: Limit = api_reads.DEFAULT_PAGE,
             offset: Offset = 0) -> Ranking:
    """Scored projects best first, or districts by their mean score (a district's token: among its city's), a
    page at a time."""
    return Ranking.model_validate(api_reads.ranking(engine_of(request), reader.viewer,
                                                    api_reads.parse_month(period), by, limit=limit, offset=offset))


@router.get("/warnings", response_model=Warnings, responses=REFUSED, summary="Warnings and their 整改")
def warnings(request: Request, reader: Reader, status: AlertStatus | None = None,
             severity: Severity | None = None, limit: Limit = api_reads.DEFAULT_PAGE, offset: Offset = 0) -> Warnings:
    """Open and closed warnings, newest first, with the rectification's stage, owner and due date, a page at a
    time."""
    return Warnings.model_validate(api_reads.warnings(engine_of(request), reader.viewer, status=status,
                                                      severity=severity, limit=limit, offset=offset))


@router.get("/warnings/{warning_id}", response_model=WarningItem, responses={**REFUSED, **NOT_FOUND},
            summary="One warning and its 整改")
def warning(request: Request, reader: Reader, warning_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> WarningItem:
    return WarningItem.model_validate(api_reads.warning(engine_of(request), reader.viewer, warning_id))
