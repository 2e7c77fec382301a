"""Who is calling: the bearer token becomes a :class:`~data_access.api_tokens.TokenActor`, checked for scope and rate.

Endpoints declare what they need with ``Depends(caller("read"))`` (or ``"write_observations"``,
``"write_milestones"``); the dependency authenticates (401), checks the token's scope (403) and its calls this
minute (429 with ``Retry-After``), and leaves the actor on ``request.state.actor`` for the call's audit entry.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from api.errors import ApiRefusal
from data_access.api_tokens import TokenActor, authenticate
from data_access.models import TOKEN_SCOPES

bearer = HTTPBearer(auto_error=False, bearerFormat="pdk_<id>_<secret>",
                    description="An integration token made by an admin on the 开放接口 page")
SCOPE_WORDS = {"read": "读取", "write_observations": "写入月度数据", "write_milestones": "写入里程碑进度"}


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def caller(scope: str) -> Callable[..., TokenActor]:
    """A dependency giving the authenticated caller, who must hold ``scope``."""
    if scope not in TOKEN_SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def dependency(request: Request,
                   credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> TokenActor:
        actor = authenticate(engine_of(request), credentials.credentials if credentials else None)
        request.state.actor = actor
        if scope not in actor.scopes:
            raise ApiRefusal(403, "forbidden", f"This token may not {scope.replace('_', ' ')}",
                             f"该令牌没有“{SCOPE_WORDS[scope]}”权限")
        if actor.over_limit:
            raise ApiRefusal(429, "rate_limited",
                             f"More than {actor.rate_per_minute} calls this minute; try again later",
                             f"本分钟调用已超过 {actor.rate_per_minute} 次，请稍后再试",
                             headers={"Retry-After": str(actor.retry_after_seconds)})
        return actor

    return dependency
