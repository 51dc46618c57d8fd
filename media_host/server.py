"""The media host's internal HTTP API (:mod:`shared.mediahost_api`) as a FastAPI app.

Only the control plane calls it. Every ``/internal/v1`` request must carry the shared key in
``X-Triage-Media-Host-Key``; the check is constant-time (:func:`shared.tokens.keys_match`) and
runs before the body is read. The rest of the HTTP edge is the control plane's, from
:mod:`shared.http_edge`: bodies bounded (``MAX_BODY_BYTES``) and JSON only, and every error —
unknown routes included — RFC 9457 ``application/problem+json`` with the contract's stable codes.
``GET /livez`` (liveness: the process answers) and ``GET /readyz`` (readiness: storage reachable,
not draining, a free call slot, model endpoint reachable now or recently — see
:mod:`media_host.readiness`; 503 when any fails) are unauthenticated probes that reveal only
check names and ``ok``/``failed``.

The app's lifespan opens Table Storage, builds the :class:`~media_host.calls.CallManager`,
registers the host and keeps its heartbeat; on shutdown it publishes ``draining``, lets calls
finish for ``drain_timeout_s``, hands the rest over to other hosts (their sessions go
``reconnecting``, :meth:`CallManager.drain`) and deregisters.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry.trace import Span, SpanKind
from starlette.types import ASGIApp, Receive, Scope, Send

from media_host.call import BridgeFactory, CallObservers
from media_host.calls import CallManager
from media_host.readiness import Readiness
from media_host.registry_heartbeat import RegistryHeartbeat
from media_host.settings import MediaHostSettings
from shared.http_edge import (
    FASTAPI_TELEMETRY_OFF,
    RequestGuard,
    install_problem_handlers,
    send_problem,
)
from shared.mediahost_api import (
    API_PREFIX,
    HEALTH_PATH,
    KEY_HEADER,
    HostAnswer,
    HostCandidates,
    HostHealth,
    HostOfferRequest,
    candidates_path,
    offer_path,
    session_path,
)
from shared.problems import Unauthorized
from shared.signaling import SIGNALING_FIELD_CODES
from shared.storage import EventLog, MediaHostRegistry, SessionStore, TableStore
from shared.storage.event_log import validate_session_key
from shared.storage.tables import ALL_TABLES
from shared.telemetry import context_from_headers, session_span
from shared.tokens import keys_match
from shared.web_pubsub import WebPubSub

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from media_host.intake_agent.checkpoint import TableStorageSaver

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 128 * 1024  # a 64 KiB SDP plus its session context, with room to spare


@dataclass
class MediaHostRuntime:
    """What the running app holds (``app.state.runtime``)."""

    settings: MediaHostSettings
    store: TableStore
    manager: CallManager
    heartbeat: RegistryHeartbeat | None
    readiness: Readiness


def create_app(
    settings: MediaHostSettings,
    *,
    bridge_factory: BridgeFactory | None = None,
    observers: CallObservers | None = None,
    register: bool = True,
) -> FastAPI:
    """Build the internal API.

    Args:
        settings: Host settings.
        bridge_factory: Builds each call's realtime bridge; default: the real
            ``RealtimeBridge`` driving the host's ``IntakeAgent``, whose interview state is
            checkpointed in Table Storage (:func:`default_bridge_factory`).
        observers: Optional latency probes for every call (benchmarks).
        register: Whether to register in the ``mediahosts`` registry and heartbeat.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The interview checkpoints go through the same store as everything else.
        store = TableStore.from_settings(
            settings.storage, tables=(*ALL_TABLES, settings.agent.checkpoint_table)
        )
        heartbeat: RegistryHeartbeat | None = None
        manager: CallManager | None = None
        hub = WebPubSub(settings.web_pubsub) if settings.web_pubsub else None
        try:
            await store.open()
            factory = bridge_factory or default_bridge_factory(
                settings, checkpointer=intake_checkpointer(store, settings)
            )
            manager = CallManager(
                settings,
                event_log=EventLog(store),
                sessions=SessionStore(store),
                bridge_factory=factory,
                observers=observers,
                web_pubsub=hub,
            )
            if register:
                current = manager
                heartbeat = RegistryHeartbeat(
                    MediaHostRegistry(store),
                    host_id=settings.host_id,
                    internal_url=settings.advertised_url,
                    capacity=settings.capacity,
                    interval_s=settings.heartbeat_interval_s,
                    load=lambda: (current.active_sessions, current.draining),
                )
                await heartbeat.start()
            ready_manager = manager
            readiness = Readiness(
                store,
                load=lambda: (
                    ready_manager.active_sessions,
                    ready_manager.capacity,
                    ready_manager.draining,
                ),
                model_url=settings.realtime.websocket_base_url or settings.realtime.azure_endpoint,
            )
            app.state.runtime = MediaHostRuntime(settings, store, manager, heartbeat, readiness)
            yield
        finally:
            if manager is not None:
                manager.draining = True
                if heartbeat is not None:
                    await heartbeat.beat()  # publish draining: no new sessions come here
                await manager.drain(settings.drain_timeout_s)
            if heartbeat is not None:
                await heartbeat.stop(deregister=True)
            await store.close()
            if hub is not None:
                await hub.aclose()

    app = FastAPI(
        title="Realtime Virtual Triage — media host internal API",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        telemetry=FASTAPI_TELEMETRY_OFF,
    )
    install_problem_handlers(app, field_codes=SIGNALING_FIELD_CODES)
    app.add_middleware(RequestGuard, limit_for=lambda _path: MAX_BODY_BYTES)
    # Added last, so it runs first: nothing about the body is looked at without the key.
    app.add_middleware(_SharedKey, key=settings.link.key.get_secret_value())

    def manager_of(request: Request) -> CallManager:
        runtime: MediaHostRuntime = request.app.state.runtime
        return runtime.manager

    # Each operation continues the session's trace from the control plane's traceparent header.
    @app.post(offer_path("{session_id}"), response_model=HostAnswer)
    async def offer(session_id: str, body: HostOfferRequest, request: Request) -> HostAnswer:
        validate_session_key(session_id)
        with _server_span("media_host.offer", session_id, request):
            return await manager_of(request).offer(session_id, body)

    @app.post(candidates_path("{session_id}"), status_code=204)
    async def candidates(session_id: str, body: HostCandidates, request: Request) -> Response:
        validate_session_key(session_id)
        with _server_span("media_host.candidates", session_id, request):
            await manager_of(request).candidates(session_id, body.candidates)
        return Response(status_code=204)

    @app.delete(session_path("{session_id}"), status_code=204)
    async def hang_up(session_id: str, request: Request) -> Response:
        validate_session_key(session_id)
        with _server_span("media_host.hang_up", session_id, request):
            await manager_of(request).hang_up(session_id)
        return Response(status_code=204)

    @app.get(HEALTH_PATH, response_model=HostHealth)
    async def health(request: Request) -> HostHealth:
        manager = manager_of(request)
        return HostHealth(
            host_id=settings.host_id,
            status="draining" if manager.draining else "ok",
            active_sessions=manager.active_sessions,
            capacity=manager.capacity,
        )

    @app.get("/livez", include_in_schema=False)
    async def livez() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        runtime: MediaHostRuntime = request.app.state.runtime
        report = await runtime.readiness.check()
        return JSONResponse(report.body(), status_code=200 if report.ready else 503)

    return app


def _server_span(name: str, session_id: str, request: Request) -> AbstractContextManager[Span]:
    return session_span(
        name, session_id, kind=SpanKind.SERVER, parent=context_from_headers(request.headers)
    )


def intake_checkpointer(store: TableStore, settings: MediaHostSettings) -> TableStorageSaver:
    """The durable LangGraph checkpointer: interview state in Table Storage (through the host's
    open ``store``, like the event log), so another media host can resume a session."""
    from media_host.intake_agent.checkpoint import TableStorageSaver

    return TableStorageSaver(store.table(settings.agent.checkpoint_table))


def default_bridge_factory(
    settings: MediaHostSettings, *, checkpointer: BaseCheckpointSaver[str] | None = None
) -> BridgeFactory:
    """The production bridge: a ``RealtimeBridge`` per call, all driving one ``IntakeAgent``
    (one compiled graph per host; the agent keeps per-session locks and checkpoints).

    Args:
        settings: Host settings.
        checkpointer: Where interview state lives; the lifespan passes the Table Storage one
            (:func:`intake_checkpointer`); None keeps it in memory (tests, benchmarks).
    """
    from media_host.intake_agent.agent import IntakeAgent
    from media_host.realtime.bridge import RealtimeBridge

    agent = IntakeAgent(settings=settings.agent, checkpointer=checkpointer)

    def build(*, session_id: str, language: str, playback: Any, events: Any) -> Any:
        return RealtimeBridge(
            settings=settings.realtime,
            session_id=session_id,
            language=language,
            agent=agent,
            playback=playback,
            events=events,
        )

    return build


class _SharedKey:
    """Pure ASGI middleware: the shared-key check on ``/internal/v1``, before any body is read."""

    def __init__(self, app: ASGIApp, *, key: str) -> None:
        self._app = app
        self._key = key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX):
            presented = _header(scope, KEY_HEADER.lower().encode("ascii"))
            if not keys_match(presented, self._key):
                await send_problem(send, Unauthorized("missing or wrong media host key"))
                return
        await self._app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None
