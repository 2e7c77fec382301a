"""The API app: error handlers, the routers, and the engine it serves (the configured database by default)."""
from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine

from api import errors
from api.body_limit import BodyLimit
from api.call_audit import AuditCalls
from api.limits import api_limits
from api.routes import health, pushes, reads
from data_access import get_engine

API_PREFIX = "/api/v1"
DOCS_STATIC = "/docs-static"
DESCRIPTION = """perfdash 开放接口 — push monthly figures and milestone progress, read projects, scores, rankings,
warnings and 整改 for a token's region. Authenticate with `Authorization: Bearer pdk_…` (tokens are made by
admins on the 开放接口 page). Every refusal is `{"error": {"code", "message", "message_zh", "items"}}`."""


def create_app(engine: Engine | None = None) -> FastAPI:
    """The app over ``engine`` (tests pass one; ``python -m api`` uses ``PERFDASH_DATABASE_URL``)."""
    # /docs draws with scripts served by the API itself (fastapi-offline), not fetched from a CDN: the whole system
    # works with no request leaving the machine. No /redoc: its page fetches its logo from redocly's servers.
    app = FastAPIOffline(title="perfdash open API", version="1.0", description=DESCRIPTION,
                         redoc_url=None, static_url=DOCS_STATIC, swagger_ui_parameters={"validatorUrl": None},
                         responses={500: {"model": errors.ErrorResponse, "description": "Internal error"}})
    app.state.engine = engine if engine is not None else get_engine()
    app.state.limits = limits = api_limits()
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    app.add_middleware(AuditCalls)  # added last: outermost, so it sees the size limit's refusals too
    app.include_router(health.router)
    app.include_router(pushes.router)
    app.include_router(reads.router)
    return app
