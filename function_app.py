"""Azure Functions entry point (Python v2 model): exposes the control-plane FastAPI app.

Each route below is a thin HTTP-triggered function taking the streaming extension's ``Request``
and returning its ``StreamingResponse``; all of them forward to the same FastAPI app through
:class:`control_plane.functions_bridge.ApiBridge`, so responses (SSE included) stream. The
functions mirror the public routes so the Functions host shows per-endpoint metrics; ``api_other``
catches the rest (docs, OpenAPI, unknown paths → problem+json 404). ``host.json`` sets
``routePrefix`` to ``""`` because the routes already start with ``api/``.

``sweep_dead_hosts`` is a timer trigger (every 10 s) that runs the control plane's dead-media-host
sweep (:mod:`control_plane.host_watch`), so failed hosts are noticed even when no request arrives.

Settings come from the environment (app settings / local.settings.json), read on first request.
This module imports ``control_plane`` and ``shared`` only — never ``media_host``.
"""

from __future__ import annotations

import os

import azure.functions as func
from azurefunctions.extensions.http.fastapi import Request, StreamingResponse
from fastapi import FastAPI

from control_plane.app import create_app
from control_plane.functions_bridge import ApiBridge
from control_plane.host_watch import sweep_app
from control_plane.settings import ControlPlaneSettings
from shared.log_setup import add_trace_context, quiet_library_loggers
from shared.telemetry import SERVICE_API, configure_telemetry

# The Functions host owns the log handlers; only the libraries' levels are ours to set, plus the
# session/trace ids on every record. Telemetry: the Azure Monitor distro when
# APPLICATIONINSIGHTS_CONNECTION_STRING is set (shared.telemetry).
quiet_library_loggers()
configure_telemetry(SERVICE_API)
add_trace_context()


def _build_app() -> FastAPI:
    # Functions cannot hold WebSockets: the event WebSocket is Azure Web PubSub here.
    return create_app(ControlPlaneSettings.from_env(os.environ), serves_websockets=False)


bridge = ApiBridge(_build_app)
app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

SESSION = "api/intake/sessions/{session_id}"
DEAD_HOST_SWEEP = "*/10 * * * * *"  # NCRONTAB with seconds: every 10 s
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


@app.function_name("create_session")
@app.route(route="api/intake/sessions", methods=["POST"])
async def create_session(req: Request) -> StreamingResponse:
    return await bridge.forward(req)


@app.function_name("session")
@app.route(route=SESSION, methods=["GET", "DELETE"])
async def session(req: Request) -> StreamingResponse:
    return await bridge.forward(req)


@app.function_name("offer")
@app.route(route=SESSION + "/offer", methods=["POST"])
async def offer(req: Request) -> StreamingResponse:
    return await bridge.forward(req)


@app.function_name("candidates")
@app.route(route=SESSION + "/candidates", methods=["POST"])
async def candidates(req: Request) -> StreamingResponse:
    return await bridge.forward(req)


@app.function_name("events")
@app.route(route=SESSION + "/events", methods=["GET"])
async def events(req: Request) -> StreamingResponse:
    return await bridge.forward(req)


@app.function_name("events_stream")
@app.route(route=SESSION + "/events/stream", methods=["GET"])
async def events_stream(req: Request) -> StreamingResponse:
    return await bridge.forward(req)


@app.function_name("stream_ticket")
@app.route(route=SESSION + "/stream-ticket", methods=["POST"])
async def stream_ticket(req: Request) -> StreamingResponse:
    return await bridge.forward(req)


@app.function_name("events_negotiate")
@app.route(route=SESSION + "/events/negotiate", methods=["POST"])
async def events_negotiate(req: Request) -> StreamingResponse:
    return await bridge.forward(req)


@app.function_name("summary")
@app.route(route=SESSION + "/summary", methods=["GET"])
async def summary(req: Request) -> StreamingResponse:
    return await bridge.forward(req)


@app.function_name("health")
@app.route(route="api/health", methods=["GET"])
async def health(req: Request) -> StreamingResponse:
    return await bridge.forward(req)


@app.function_name("sweep_dead_hosts")
@app.timer_trigger(schedule=DEAD_HOST_SWEEP, arg_name="timer", run_on_startup=False)
async def sweep_dead_hosts(timer: func.TimerRequest) -> None:
    await sweep_app(await bridge.app())


@app.function_name("api_other")
@app.route(route="{*path}", methods=ALL_METHODS)
async def api_other(req: Request) -> StreamingResponse:
    return await bridge.forward(req)
