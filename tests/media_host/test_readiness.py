"""/livez and /readyz of the media host: readiness flips when the host drains, when storage or the
model endpoint is unreachable and when it is full; liveness does not."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from devtools.azurite import free_port, start_azurite
from media_host.readiness import Readiness, endpoint_address
from media_host.runner import running_media_host
from shared.config import StorageSettings
from shared.storage import TableStore
from tests.media_host.support import SilentBridge, host_settings


@pytest.fixture
async def model_endpoint() -> AsyncIterator[str]:
    """A listening TCP socket standing in for the realtime model endpoint."""
    server = await asyncio.start_server(lambda _r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}/v1"
    finally:
        server.close()
        await server.wait_closed()


def _closed_port_url() -> str:
    return f"ws://127.0.0.1:{free_port()}/v1"


async def test_readiness_flips_when_the_host_drains(azurite, table_prefix, model_endpoint) -> None:
    settings = host_settings(azurite.connection_string, table_prefix)
    realtime = settings.realtime.model_copy(update={"websocket_base_url": model_endpoint})
    settings = settings.model_copy(update={"realtime": realtime})
    async with (
        running_media_host(settings, bridge_factory=SilentBridge) as host,
        httpx.AsyncClient(base_url=host.url) as http,
    ):
        ready = await http.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {
            "status": "ready",
            "checks": {
                "storage": "ok",
                "not_draining": "ok",
                "capacity": "ok",
                "model_endpoint": "ok",
            },
        }
        # What the shutdown path does first (server.py lifespan): stop taking calls.
        host.app.state.runtime.manager.draining = True
        draining = await http.get("/readyz")
        assert draining.status_code == 503
        assert draining.json()["status"] == "not_ready"
        assert draining.json()["checks"]["not_draining"] == "failed"
        assert (await http.get("/livez")).status_code == 200


async def test_readiness_fails_when_storage_stops(model_endpoint) -> None:
    """A real fault: the host's own Azurite is stopped (by PID) while the store is open."""
    azurite = start_azurite(in_memory=True)
    store = TableStore.from_settings(
        StorageSettings(connection_string=SecretStr(azurite.connection_string))
    )
    await store.open()
    try:
        readiness = Readiness(store, lambda: (0, 4, False), model_endpoint, timeout_s=1.0)
        assert (await readiness.check()).ready
        azurite.stop()
        report = await readiness.check()
    finally:
        azurite.stop()
        await store.close()
    assert report.checks["storage"] is False and not report.ready
    assert report.checks["model_endpoint"] is True


async def test_full_host_and_model_endpoint(azurite, model_endpoint) -> None:
    store = TableStore.from_settings(
        StorageSettings(connection_string=SecretStr(azurite.connection_string))
    )
    await store.open()
    try:
        full = await Readiness(store, lambda: (4, 4, False), model_endpoint).check()
        assert full.checks == {
            "storage": True,
            "not_draining": True,
            "capacity": False,
            "model_endpoint": True,
        }
        never_seen = await Readiness(store, lambda: (0, 4, False), _closed_port_url()).check()
        assert never_seen.checks["model_endpoint"] is False
    finally:
        await store.close()


async def test_model_endpoint_recently_reachable_counts_then_expires(azurite) -> None:
    """A blip of the model endpoint within ``model_recent_s`` keeps the host ready; longer not."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    now = [1000.0]
    store = TableStore.from_settings(
        StorageSettings(connection_string=SecretStr(azurite.connection_string))
    )
    await store.open()
    try:
        readiness = Readiness(
            store,
            lambda: (0, 4, False),
            f"wss://127.0.0.1:{port}/openai/v1",
            model_recent_s=60,
            clock=lambda: now[0],
        )
        assert (await readiness.check()).checks["model_endpoint"] is True
        listener.close()
        now[0] += 30
        assert (await readiness.check()).checks["model_endpoint"] is True
        now[0] += 31
        assert (await readiness.check()).checks["model_endpoint"] is False
    finally:
        listener.close()
        await store.close()


def test_endpoint_address_defaults_the_port_by_scheme() -> None:
    assert endpoint_address("https://x.openai.azure.com/") == ("x.openai.azure.com", 443)
    assert endpoint_address("wss://x.example/openai/v1") == ("x.example", 443)
    assert endpoint_address("ws://127.0.0.1:9000/v1") == ("127.0.0.1", 9000)
    assert endpoint_address("not a url") is None
