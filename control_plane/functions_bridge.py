"""Carry a request from the Azure Functions worker into the FastAPI app, streaming the response.

With the HTTP-streaming extension (``azurefunctions-extensions-http-fastapi``, enabled by
``PYTHON_ENABLE_INIT_INDEXING=1``) the Functions host proxies each HTTP request to a small web
server inside the Python worker, and our function receives it as a Starlette/FastAPI ``Request``;
whatever Starlette ``Response`` we return is sent back chunk by chunk. :class:`ApiBridge` makes
the whole FastAPI app answer that request:

1. it builds a fresh ASGI ``http`` scope from the incoming one (method, path, query, headers,
   client), dropping the worker's own routing keys;
2. the body is replayed from the request's stream into the app's ``receive``; after it, ``receive``
   waits for the real client disconnect (so an SSE generator stops when the browser leaves);
3. the app runs in a task; its ``http.response.start`` gives status and headers, and each
   ``http.response.body`` chunk goes through a queue into a ``StreamingResponse`` that the worker
   sends as it arrives — so SSE really streams (``AsgiFunctionApp`` would buffer the whole body);
4. the app's lifespan (opening Table Storage) runs once, lazily, on the first request, because
   the worker never sends ASGI lifespan events to the wrapped app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.types import Message

_SCOPE_KEYS = (
    "type",
    "asgi",
    "http_version",
    "method",
    "scheme",
    "path",
    "raw_path",
    "query_string",
    "headers",
    "client",
    "server",
)
_END = object()
# How long a finished response's app task may take to return before it is cancelled.
APP_FINISH_GRACE_S = 1.0

log = logging.getLogger(__name__)


class ApiBridge:
    """Forward Functions HTTP requests to a FastAPI app built on first use by ``factory``."""

    def __init__(self, factory: Callable[[], FastAPI]) -> None:
        self._factory = factory
        self._app: FastAPI | None = None
        self._lifespan: contextlib.AsyncExitStack | None = None
        self._start_lock = asyncio.Lock()

    async def app(self) -> FastAPI:
        """The started app (built and its lifespan entered on the first call)."""
        async with self._start_lock:
            if self._app is None:
                app = self._factory()
                stack = contextlib.AsyncExitStack()
                await stack.enter_async_context(app.router.lifespan_context(app))
                self._app, self._lifespan = app, stack
            return self._app

    async def aclose(self) -> None:
        """Leave the app's lifespan (closes storage); the next request starts it again."""
        async with self._start_lock:
            if self._lifespan is not None:
                await self._lifespan.aclose()
            self._app = self._lifespan = None

    async def forward(self, request: Request) -> StreamingResponse:
        """Run ``request`` through the app; the returned response streams the app's body."""
        app = await self.app()
        scope: dict[str, Any] = {k: request.scope[k] for k in _SCOPE_KEYS if k in request.scope}
        scope.setdefault("asgi", {"version": "3.0"})
        scope["root_path"] = ""
        scope["state"] = {}
        started: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        chunks: asyncio.Queue[bytes | object] = asyncio.Queue()
        body = request.stream()
        body_done = False

        async def receive() -> Message:
            nonlocal body_done
            while not body_done:
                try:
                    chunk = await anext(body)
                except StopAsyncIteration:
                    body_done = True
                    return {"type": "http.request", "body": b"", "more_body": False}
                except Exception:  # the client went away mid-body
                    body_done = True
                    return {"type": "http.disconnect"}
                if chunk:
                    return {"type": "http.request", "body": chunk, "more_body": True}
            return await request.receive()  # after the body: blocks until the client leaves

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                if not started.done():
                    started.set_result(message)
            elif message["type"] == "http.response.body":
                if message.get("body"):
                    await chunks.put(message["body"])
                if not message.get("more_body", False):
                    await chunks.put(_END)

        async def run_app() -> None:
            try:
                await app(scope, receive, send)
            except Exception as exc:
                # Starlette re-raises after its error middleware sent the 500 problem; the
                # response is already on its way, so log instead of breaking the stream.
                if not started.done():
                    started.set_exception(exc)
                else:
                    log.exception("the API failed while streaming a response")
            finally:
                await chunks.put(_END)
                if not started.done():
                    started.set_exception(RuntimeError("the app sent no response"))

        task = asyncio.create_task(run_app(), name="fastapi-request")
        try:
            start = await started
        except BaseException:
            task.cancel()
            raise

        async def stream() -> AsyncIterator[bytes]:
            complete = False
            try:
                while (chunk := await chunks.get()) is not _END:
                    assert isinstance(chunk, bytes)
                    yield chunk
                complete = True
            finally:
                if complete and not task.done():
                    # The body is whole, but the app may still be tidying up after its last
                    # chunk (a FileResponse closes its file then): let it, briefly, rather than
                    # cancel it half-way and leak what it held. A client that left early still
                    # cancels at once.
                    await asyncio.wait({task}, timeout=APP_FINISH_GRACE_S)
                if not task.done():
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        response = StreamingResponse(stream(), status_code=int(start["status"]))
        response.raw_headers = [(bytes(k), bytes(v)) for k, v in start.get("headers", [])]
        return response
