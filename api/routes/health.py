"""``GET /healthz``: the API process is up and its database answers (for nginx and the process supervisor)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.auth import engine_of
from api.errors import ErrorResponse, error_response
from data_access import data_version

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    data_version: int


@router.get("/healthz", response_model=Health, responses={503: {"model": ErrorResponse}})
def healthz(request: Request) -> Health | JSONResponse:
    try:
        return Health(status="ok", data_version=data_version(engine_of(request)))
    except Exception:  # any database failure means unhealthy, and never a traceback
        return error_response(503, "unavailable", "The database does not answer", "数据库无响应")
