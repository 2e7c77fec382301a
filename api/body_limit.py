"""The request body size limit (``PERFDASH_API_MAX_BODY_BYTES``): 413 in the error shape, before any route runs.

Checked twice: a declared ``Content-Length`` over the limit is refused before a byte of the body is read, and a
body sent without one (``Transfer-Encoding: chunked``) is counted as it arrives and refused the moment it passes
the limit, so a worker never holds more than the limit in memory. A body within the limit is handed on whole.
"""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response


class BodyLimit:
    """ASGI middleware refusing request bodies over ``max_bytes`` with 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nobody to answer
                return
            part = message.get("body", b"")
            size += len(part)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            parts.append(part)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(parts), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.max_bytes
        response = error_response(413, "too_large", f"The request body is over the limit of {limit:,} bytes; send "
                                  "fewer items per call", f"请求体超过 {limit:,} 字节的上限，请分批发送")
        await response(scope, receive, send)


def _declared_length(scope: Scope) -> int:
    """The Content-Length header's value (0 when there is none or it is not a number)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the whole body once, then whatever the client sends next (its disconnect)."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
