"""/api/livez and /api/readyz: readiness follows storage and media-host capacity; liveness not."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from control_plane.app import create_app
from control_plane.settings import ControlPlaneSettings
from devtools.azurite import Azurite, table_connection_string
from shared.storage import TableStore
from tests.control_plane.conftest import register
from tests.support.fake_media_host import FakeMediaHost
from tests.support.tcp_relay import TcpRelay


def _checks(response: httpx.Response) -> dict[str, str]:
    body = response.json()
    assert set(body) == {"status", "checks"}
    return dict(body["checks"])


async def test_readiness_needs_a_media_host_with_room(
    client: httpx.AsyncClient, store: TableStore, fake_host: FakeMediaHost
) -> None:
    assert (await client.get("/api/livez")).json() == {"status": "ok"}
    empty = await client.get("/api/readyz")
    assert empty.status_code == 503
    assert _checks(empty) == {"storage": "ok", "media_host_capacity": "failed"}

    await register(store, fake_host, draining=True)
    assert (await client.get("/api/readyz")).status_code == 503
    await register(store, fake_host, capacity=2, active_sessions=2)
    assert (await client.get("/api/readyz")).status_code == 503

    await register(store, fake_host, capacity=2, active_sessions=1)
    ready = await client.get("/api/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"storage": "ok", "media_host_capacity": "ok"},
    }


async def test_readiness_fails_when_storage_is_cut(
    cp_settings: ControlPlaneSettings, azurite: Azurite, store: TableStore, fake_host: FakeMediaHost
) -> None:
    await register(store, fake_host)
    relay = TcpRelay(azurite.port)
    await relay.start()
    storage = cp_settings.storage.model_copy(
        update={"connection_string": SecretStr(table_connection_string(relay.port))}
    )
    app = create_app(
        cp_settings.model_copy(update={"storage": storage}),
        storage_client_options={"retry_total": 0},
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        assert (await http.get("/api/readyz")).status_code == 200
        await relay.cut()
        cut = await http.get("/api/readyz")
        assert cut.status_code == 503
        assert _checks(cut)["storage"] == "failed"
        assert (await http.get("/api/livez")).status_code == 200
