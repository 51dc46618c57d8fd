"""Run the media host's internal API under uvicorn inside the current event loop.

Used by ``python -m media_host``, the tests, the benchmark and the local stack. The listening
socket is bound *before* the app starts, so port 0 works: the real port is known in time to be
registered in the ``mediahosts`` table as the host's internal URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from media_host.call import BridgeFactory, CallObservers
from media_host.server import MediaHostRuntime, create_app
from media_host.settings import MediaHostSettings


@dataclass
class RunningMediaHost:
    """A started host: its URL, settings (with the bound port) and app."""

    url: str
    settings: MediaHostSettings
    app: FastAPI

    @property
    def runtime(self) -> MediaHostRuntime:
        runtime: MediaHostRuntime = self.app.state.runtime
        return runtime


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0 picks a free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


@contextlib.asynccontextmanager
async def running_media_host(
    settings: MediaHostSettings,
    *,
    bridge_factory: BridgeFactory | None = None,
    observers: CallObservers | None = None,
    register: bool = True,
    log_level: str = "warning",
) -> AsyncIterator[RunningMediaHost]:
    """Start the host on its configured address, yield it, shut it down (draining) on exit."""
    sock = bind_socket(settings.bind_host, settings.bind_port)
    port = sock.getsockname()[1]
    url = f"http://{settings.bind_host}:{port}"
    updates: dict[str, object] = {"bind_port": port}
    if settings.internal_url is None:
        updates["internal_url"] = url
    settings = settings.model_copy(update=updates)
    app = create_app(
        settings, bridge_factory=bridge_factory, observers=observers, register=register
    )
    config = uvicorn.Config(
        app, log_level=log_level, lifespan="on", access_log=False, log_config=None
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="media-host-uvicorn")
    try:
        while not server.started:
            if task.done():
                # uvicorn logs the cause and exits (SystemExit) when the lifespan fails.
                raise RuntimeError("media host failed to start (see the log above)")
            await asyncio.sleep(0.01)
        yield RunningMediaHost(url=url, settings=settings, app=app)
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)
        sock.close()


async def serve_forever(
    settings: MediaHostSettings,
    *,
    bridge_factory: BridgeFactory | None = None,
    log_level: str = "info",
) -> None:
    """Run until uvicorn receives SIGINT/SIGTERM (then drain and exit)."""
    sock = bind_socket(settings.bind_host, settings.bind_port)
    app = create_app(settings, bridge_factory=bridge_factory)
    # log_config=None: uvicorn's records go through the root handler (JSON, trace ids).
    config = uvicorn.Config(
        app, log_level=log_level.lower(), lifespan="on", access_log=False, log_config=None
    )
    try:
        await uvicorn.Server(config).serve(sockets=[sock])
    finally:
        sock.close()
