"""Pure-ASGI request body cap: refuses oversized bodies before anything parses them.

Two checks, because a client may lie or omit ``Content-Length`` (chunked upload): the declared
length is checked up front, and the bytes actually received are counted as they stream in.
Either way the answer is 413 ``payload_too_large`` as problem+json. Written as raw ASGI (not
``BaseHTTPMiddleware``) so streaming responses (SSE) pass through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import PROBLEM_CONTENT_TYPE, PayloadTooLarge

LimitFor = Callable[[str], int]


class BodyTooLarge(PayloadTooLarge):
    """Raised from ``receive`` when the streamed body passes the limit."""


class BodyLimitMiddleware:
    """Cap request bodies at ``limit_for(path)`` bytes."""

    def __init__(self, app: ASGIApp, *, limit_for: LimitFor) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_413(send, scope["path"], limit)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(
                        f"request body exceeds {limit} bytes", code="payload_too_large"
                    )
            return message

        await self.app(scope, counted_receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_413(send: Send, path: str, limit: int) -> None:
    problem = PayloadTooLarge(
        f"request body exceeds {limit} bytes", code="payload_too_large"
    ).to_problem(instance=path)
    body = json.dumps(problem.to_json()).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
