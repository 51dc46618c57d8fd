"""Fixtures for control-plane tests: real Azurite, a fake media host on a real port, the app."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from pydantic import SecretStr

from control_plane.app import create_app
from control_plane.settings import ControlPlaneSettings
from devtools.azurite import Azurite
from shared.config import MediaHostLinkSettings, StorageSettings
from shared.storage import MediaHostRecord, MediaHostRegistry, TableStore
from tests.support.fake_media_host import FakeMediaHost

HOST_KEY = "test-media-host-key-" + "x" * 24
OFFER_SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"


@pytest.fixture
def fake_host() -> Iterator[FakeMediaHost]:
    host = FakeMediaHost(key=HOST_KEY).start()
    try:
        yield host
    finally:
        host.stop()


@pytest.fixture
def cp_settings(azurite: Azurite, table_prefix: str) -> ControlPlaneSettings:
    return ControlPlaneSettings(
        storage=StorageSettings(
            connection_string=SecretStr(azurite.connection_string), table_prefix=table_prefix
        ),
        media_host=MediaHostLinkSettings(key=SecretStr(HOST_KEY)),
        relay_connect_timeout_s=1.0,
        relay_read_timeout_s=0.5,
        status_check_interval_s=0.2,
        sse_heartbeat_s=0.3,
        sse_max_stream_s=15,  # bounds a failing SSE test
        # Tests create many sessions from one in-process client; the limits have their own tests.
        create_rate_limit="1000/minute",
        offer_rate_limit="1000/minute",
    )


@pytest_asyncio.fixture(loop_scope="function")
async def store(cp_settings: ControlPlaneSettings) -> AsyncIterator[TableStore]:
    async with TableStore.from_settings(cp_settings.storage) as opened:
        yield opened


async def register(store: TableStore, host: FakeMediaHost, **overrides: Any) -> MediaHostRecord:
    values: dict[str, Any] = {"capacity": 10, **overrides}
    record = MediaHostRecord(host_id=host.host_id, internal_url=host.url, **values)
    await MediaHostRegistry(store).heartbeat(record)
    return record


@pytest_asyncio.fixture(loop_scope="function")
async def registered_host(store: TableStore, fake_host: FakeMediaHost) -> FakeMediaHost:
    await register(store, fake_host)
    return fake_host


@pytest_asyncio.fixture(loop_scope="function")
async def client(cp_settings: ControlPlaneSettings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(cp_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@pytest_asyncio.fixture(loop_scope="function")
async def live_url(cp_settings: ControlPlaneSettings) -> AsyncIterator[str]:
    """The app under a real uvicorn on a free port (ASGITransport would buffer SSE)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(cp_settings), log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    await task


async def new_session(http: httpx.AsyncClient, language: str = "en") -> tuple[str, str]:
    response = await http.post("/api/intake/sessions", json={"user_language": language})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["session_id"], body["session_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code, body
    assert body["status"] == status and body["title"]
    return body
