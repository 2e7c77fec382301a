"""Every API call audited with its token's name: after the answer, one ``api.call`` entry in the audit chain.

The entry holds the method, path, status, Idempotency-Key, and the batch and item count a push leaves on
``request.state`` (``batch_id``, ``items``). A call refused before a token was recognised (none, unknown, revoked,
a body over the limit) has no name to give the chain: it goes to the server log instead. Writing the entry is
one small transaction that moves no data version (:func:`data_access.api_tokens.record_call`); if it fails the
answer has already gone, so the failure is logged, never turned into an error for the caller.
"""
from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from data_access.api_tokens import TokenActor, record_call

log = logging.getLogger("perfdash.api")
PATH_LIMIT = 200


class AuditCalls:
    """ASGI middleware writing the call's audit entry (or log line) once the response is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        status = 500  # unless a response starts: an exception that escapes every handler

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            await run_in_threadpool(_record, scope, state, status)


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return str(value.decode("latin-1"))[:100]
    return None


def _record(scope: Scope, state: dict[str, Any], status: int) -> None:
    method, path = scope["method"], scope["path"][:PATH_LIMIT]
    actor = state.get("actor")
    if not isinstance(actor, TokenActor):
        if status >= 400:
            client = scope.get("client") or ("?", 0)
            log.warning("API call refused before authentication: %s %s -> %d from %s", method, path, status,
                        client[0])
        return
    call = {"method": method, "path": path, "status": status,
            "idempotency_key": _header(scope, b"idempotency-key"), "batch_id": state.get("batch_id"),
            "items": state.get("items")}
    try:
        record_call(scope["app"].state.engine, actor, call)
    except Exception:  # the answer has gone out; an audit failure is for the operators, not the caller
        log.exception("Could not audit the API call %s %s -> %d by api:%s", method, path, status, actor.name)
