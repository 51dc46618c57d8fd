"""The control plane's FastAPI app: ``create_app(settings)`` wires storage, relay and routers.

The same app object runs under uvicorn (``python -m control_plane``) and inside Azure Functions
(``function_app.py`` forwards each request to it, see :mod:`control_plane.functions_bridge`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from control_plane.relay import MediaHostRelay
from control_plane.routers import (
    events,
    health,
    negotiate,
    sessions,
    signaling,
    stream_tickets,
    summary,
    websocket,
)
from control_plane.settings import ControlPlaneSettings
from control_plane.state import AppState
from control_plane.web_client import install_web_client
from shared.events import EVENT_SCHEMA_VERSION
from shared.http_edge import (
    FASTAPI_TELEMETRY_OFF,
    RequestGuard,
    document_problems,
    install_problem_handlers,
)
from shared.signaling import MAX_SDP_BYTES, SIGNALING_FIELD_CODES
from shared.storage import TableStore
from shared.web_pubsub import WebPubSub, WebPubSubSettings

DEFAULT_BODY_LIMIT = 64 * 1024
# JSON escaping can double an SDP's size (every CRLF becomes \r\n), so the offer route admits
# twice the SDP limit as raw body; the SDP itself is then held to MAX_SDP_BYTES (→ 413).
OFFER_BODY_LIMIT = 2 * MAX_SDP_BYTES + 1024

DESCRIPTION = f"""
Public HTTP API of the virtual-triage intake agent. Create a session, exchange WebRTC signalling
(relayed to a media host), follow the session's events (long-poll, SSE, or a WebSocket from
`…/events/negotiate` — Azure Web PubSub on Azure; event schema v{EVENT_SCHEMA_VERSION}) and fetch
the intake summary. Errors are RFC 9457
`application/problem+json` with a stable `code`. See docs/api.md.
"""


# Validation errors on these inputs answer with the input's own problem code.
FIELD_CODES = {**SIGNALING_FIELD_CODES, "last-event-id": "invalid_last_event_id"}


def body_limit_for(path: str) -> int:
    return OFFER_BODY_LIMIT if path.endswith("/offer") else DEFAULT_BODY_LIMIT


class IntakeApi(FastAPI):
    """The FastAPI app whose OpenAPI document describes what the server really does: the
    problem+json errors of :mod:`shared.http_edge`, and the ``user_language`` values this
    deployment accepts (from ``TRIAGE_SUPPORTED_LANGUAGES``, so a tag valid by the schema is never
    refused)."""

    def __init__(self, *, language_pattern: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.language_pattern = language_pattern

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            schema = document_problems(super().openapi())
            request = schema["components"]["schemas"]["CreateSessionRequest"]
            request["properties"]["user_language"]["pattern"] = self.language_pattern
            self.openapi_schema = schema
        return self.openapi_schema


def create_app(
    settings: ControlPlaneSettings,
    *,
    relay_transport: httpx.AsyncBaseTransport | None = None,
    storage_client_options: Mapping[str, Any] | None = None,
    web_pubsub_factory: Callable[[WebPubSubSettings], WebPubSub] = WebPubSub,
    serves_websockets: bool = True,
) -> FastAPI:
    """Build the app. Storage is opened (tables created) in the lifespan.

    Args:
        settings: everything configurable.
        relay_transport: optional httpx transport for the media-host relay (tests, benches).
        storage_client_options: extra azure-core options for the tables client (e.g. retries).
        web_pubsub_factory: builds the Web PubSub client when ``settings.web_pubsub`` is set
            (tests hand it a credential and a transport that captures the SDK's requests).
        serves_websockets: False under Azure Functions, which cannot hold the API's WebSocket
            (negotiate then needs Web PubSub).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = TableStore.from_settings(settings.storage, client_options=storage_client_options)
        relay = MediaHostRelay(settings, transport=relay_transport)
        sweeper: asyncio.Task[None] | None = None
        state: AppState | None = None
        hub = web_pubsub_factory(settings.web_pubsub) if settings.web_pubsub else None
        try:
            await store.open()
            app.state.triage = state = AppState.build(
                settings, store, relay, web_pubsub=hub, serves_websockets=serves_websockets
            )
            if settings.host_sweep_interval_s > 0:
                sweeper = asyncio.create_task(state.host_watch.run(), name="dead-host-sweeper")
            yield
        finally:
            if sweeper is not None:
                sweeper.cancel()
                await asyncio.gather(sweeper, return_exceptions=True)
            if state is not None:
                await state.host_watch.aclose()
            await relay.aclose()
            await store.close()
            if hub is not None:
                await hub.aclose()

    app = IntakeApi(
        language_pattern=settings.language_pattern(),
        title="Realtime Virtual Triage — intake API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url="/api/redoc",
        openapi_url="/api/openapi.json",
        telemetry=FASTAPI_TELEMETRY_OFF,
    )
    install_problem_handlers(app, field_codes=FIELD_CODES)
    for module in (
        sessions,
        signaling,
        events,
        stream_tickets,
        negotiate,
        summary,
        health,
        websocket,
    ):
        app.include_router(module.router)
    install_web_client(app)  # the reference client at / (docs/local-development.md)
    app.add_middleware(RequestGuard, limit_for=body_limit_for)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
            expose_headers=["Location", "Retry-After"],
            max_age=600,
        )
    return app
