"""A real HTTP server playing a media host's internal API (test-only).

It implements :mod:`shared.mediahost_api` faithfully enough for the control plane's relay —
shared-key check, offer → answer, candidates after an offer, idempotent hang-up, health — and has
switches to misbehave: ``slow`` (sleep before answering), ``error`` (HTTP 500), ``problem`` (a given
problem code), ``garbage`` (200 with a non-answer body), and :meth:`FakeMediaHost.go_down` (stop
listening: connections are refused). It runs uvicorn in its own thread and event loop, on a free
127.0.0.1 port, so any test loop can call it.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shared.mediahost_api import (
    API_PREFIX,
    KEY_HEADER,
    HostCandidates,
    HostHealth,
    HostOfferRequest,
)
from shared.problems import PROBLEM_CONTENT_TYPE, Problem
from shared.tokens import keys_match


def _problem(status: int, code: str, detail: str = "") -> JSONResponse:
    body = Problem(title=code.replace("_", " "), status=status, code=code, detail=detail)
    return JSONResponse(body.to_json(), status_code=status, media_type=PROBLEM_CONTENT_TYPE)


@dataclass
class Call:
    method: str
    path: str
    body: dict[str, Any] | None


@dataclass
class FakeMediaHost:
    key: str
    host_id: str = "fake-host-1"
    mode: str = "ok"  # ok | slow | error | problem | garbage
    delay_s: float = 0.0
    problem_status: int = 409
    problem_code: str = "session_ended"
    calls: list[Call] = field(default_factory=list)
    offers: dict[str, HostOfferRequest] = field(default_factory=dict)
    candidates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hung_up: set[str] = field(default_factory=set)
    health_ok_anyway: bool = False  # health answers even while the other routes misbehave
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeMediaHost:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=0.2
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._server.serve(sockets=[sock])),  # type: ignore[union-attr]
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake media host did not start")
            time.sleep(0.01)
        return self

    def go_down(self) -> None:
        """Stop listening: later calls get 'connection refused'."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    stop = go_down

    def _app(self) -> Starlette:
        async def guard(request: Request) -> Response | None:
            body: dict[str, Any] | None = None
            raw = await request.body()
            if raw:
                body = json.loads(raw)
            self.calls.append(Call(request.method, request.url.path, body))
            if not keys_match(request.headers.get(KEY_HEADER), self.key):
                return _problem(401, "unauthorized")
            if self.mode == "slow":
                await asyncio.sleep(self.delay_s)
            if self.mode == "error":
                return Response("boom", status_code=500)
            if self.mode == "problem":
                return _problem(self.problem_status, self.problem_code, "host says no")
            if self.mode == "garbage":
                return JSONResponse({"hello": "world"})
            return None

        async def offer(request: Request) -> Response:
            if (early := await guard(request)) is not None:
                return early
            session_id = request.path_params["session_id"]
            try:
                offer = HostOfferRequest.model_validate_json(await request.body())
            except ValidationError:
                return _problem(422, "invalid_sdp", "not an offer request")
            if not offer.sdp.startswith("v=0"):
                return _problem(422, "invalid_sdp", "SDP must start with v=0")
            if session_id in self.hung_up:
                return _problem(409, "session_ended")
            if session_id in self.offers:
                return _problem(409, "offer_already_accepted")
            self.offers[session_id] = offer
            answer = "v=0\r\no=fake 1 1 IN IP4 127.0.0.1\r\ns=answer\r\n"
            return JSONResponse({"type": "answer", "sdp": answer})

        async def candidates(request: Request) -> Response:
            if (early := await guard(request)) is not None:
                return early
            session_id = request.path_params["session_id"]
            try:
                body = HostCandidates.model_validate_json(await request.body())
            except ValidationError:
                return _problem(422, "invalid_candidate")
            if session_id not in self.offers:
                return _problem(409, "no_offer_yet")
            self.candidates.setdefault(session_id, []).extend(
                c.model_dump() for c in body.candidates
            )
            return Response(status_code=204)

        async def hang_up(request: Request) -> Response:
            if (early := await guard(request)) is not None:
                return early
            self.hung_up.add(request.path_params["session_id"])
            return Response(status_code=204)

        async def health(request: Request) -> Response:
            if not self.health_ok_anyway and (early := await guard(request)) is not None:
                return early
            body = HostHealth(
                host_id=self.host_id, status="ok", active_sessions=len(self.offers), capacity=10
            )
            return JSONResponse(body.model_dump())

        return Starlette(
            routes=[
                Route(f"{API_PREFIX}/sessions/{{session_id}}/offer", offer, methods=["POST"]),
                Route(
                    f"{API_PREFIX}/sessions/{{session_id}}/candidates", candidates, methods=["POST"]
                ),
                Route(f"{API_PREFIX}/sessions/{{session_id}}", hang_up, methods=["DELETE"]),
                Route(f"{API_PREFIX}/health", health, methods=["GET"]),
            ]
        )
