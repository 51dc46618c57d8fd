"""A local WebSocket server that replays scripted GA Realtime server events (test only).

The real ``openai`` SDK connects to it (``websocket_base_url``); each accepted connection runs the
next script: send events, wait for a client event of some type, close with a code, or drop the
TCP connection without a close frame. Everything the client sent, and the request path and
headers, are recorded for assertions.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from tests.realtime import wire


@dataclass(frozen=True)
class Send:
    events: tuple[dict[str, Any], ...]

    def __init__(self, *events: dict[str, Any]) -> None:
        object.__setattr__(self, "events", events)


@dataclass(frozen=True)
class Expect:
    """Wait until the client sends an event of `type` (optionally matching `where`)."""

    type: str
    timeout: float = 5.0


@dataclass(frozen=True)
class Close:
    code: int
    reason: str = ""


@dataclass(frozen=True)
class Drop:
    """Abort the TCP connection: no close frame (a network failure)."""


@dataclass(frozen=True)
class Pause:
    seconds: float


Step = Send | Expect | Close | Drop | Pause


@dataclass
class RecordedConnection:
    path: str
    headers: dict[str, str]
    received: list[dict[str, Any]] = field(default_factory=list)
    expect_failures: list[str] = field(default_factory=list)
    closed: bool = False

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.received if e.get("type") == kind]


class ReplayServer:
    """Serves one script per accepted connection; extra connections just get session.created."""

    def __init__(self, scripts: list[list[Step]], *, reject_status: int | None = None) -> None:
        self._scripts = list(scripts)
        self._reject_status = reject_status
        self.connections: list[RecordedConnection] = []
        self._server: Server | None = None
        self._changed = asyncio.Condition()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def ws_base(self) -> str:
        return f"ws://127.0.0.1:{self.port}/v1"

    async def start(self) -> ReplayServer:
        self._server = await serve(self._handle, "127.0.0.1", 0, process_request=self._maybe_reject)
        return self

    async def aclose(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def wait_for_connections(self, n: int, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.connections) >= n)

    async def wait_for_event(
        self, conn_index: int, kind: str, timeout: float = 5.0
    ) -> dict[str, Any]:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(
                lambda: (
                    len(self.connections) > conn_index
                    and bool(self.connections[conn_index].of(kind))
                )
            )
            return self.connections[conn_index].of(kind)[0]

    def _maybe_reject(self, ws: ServerConnection, request: Request) -> Response | None:
        """Refuse the handshake (e.g. 401) when asked to, recording the attempt."""
        if self._reject_status is None:
            return None
        headers = {k.lower(): v for k, v in request.headers.raw_items()}
        self.connections.append(RecordedConnection(path=request.path, headers=headers))
        return ws.respond(HTTPStatus(self._reject_status), "refused\n")

    async def _handle(self, ws: ServerConnection) -> None:
        request = ws.request
        assert request is not None
        record = RecordedConnection(
            path=request.path, headers={k.lower(): v for k, v in request.headers.raw_items()}
        )
        async with self._changed:
            self.connections.append(record)
            self._changed.notify_all()
        index = len(self.connections) - 1
        script = (
            self._scripts[index] if index < len(self._scripts) else [Send(wire.session_created())]
        )
        reader = asyncio.get_running_loop().create_task(self._read(ws, record))
        consumed: set[int] = set()
        try:
            for step in script:
                match step:
                    case Send():
                        for event in step.events:
                            await ws.send(json.dumps(event))
                    case Pause():
                        await asyncio.sleep(step.seconds)
                    case Expect():
                        await self._expect(record, step, consumed)
                    case Close():
                        await ws.close(step.code, step.reason)
                        return
                    case Drop():
                        ws.transport.abort()
                        return
            await ws.wait_closed()
        except ConnectionClosed:
            pass
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    async def _expect(self, record: RecordedConnection, step: Expect, consumed: set[int]) -> None:
        """Wait for the first not yet consumed client event of the type (order-insensitive)."""

        def found() -> int | None:
            for i, event in enumerate(record.received):
                if i not in consumed and event.get("type") == step.type:
                    return i
            return None

        try:
            async with asyncio.timeout(step.timeout), self._changed:
                await self._changed.wait_for(lambda: found() is not None or record.closed)
        except TimeoutError:
            record.expect_failures.append(step.type)
            return
        index = found()
        if index is None:  # the client went away first
            record.expect_failures.append(step.type)
            raise ConnectionClosed(None, None)
        consumed.add(index)

    async def _read(self, ws: ServerConnection, record: RecordedConnection) -> None:
        try:
            async for message in ws:
                try:
                    event = json.loads(message)
                except ValueError:
                    event = {"type": "<not json>"}
                async with self._changed:
                    record.received.append(event)
                    self._changed.notify_all()
        except ConnectionClosed:
            pass
        finally:
            async with self._changed:
                record.closed = True
                self._changed.notify_all()
