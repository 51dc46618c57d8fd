"""``POST …/events/negotiate``: the event WebSocket, through Azure Web PubSub or the API's own.

Locally the negotiated URL is the uvicorn WebSocket (same contract, exercised end to end). The
Azure path runs the real SDK with its HTTP requests captured (tests/support/web_pubsub.py): what
the service would be asked — token minting, and each event the control plane logs published to
the session's group — is asserted without any network.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from websockets.asyncio.client import connect

from control_plane.app import create_app
from control_plane.settings import ControlPlaneSettings
from shared.web_pubsub import WebPubSub, WebPubSubSettings
from tests.control_plane.conftest import bearer, new_session
from tests.control_plane.test_websocket_events import receive_until_closed
from tests.support.web_pubsub import (
    CLIENT_TOKEN,
    ENDPOINT,
    ENTRA_TOKEN,
    CapturingTransport,
    FixedCredential,
)


def negotiate_path(sid: str) -> str:
    return f"/api/intake/sessions/{sid}/events/negotiate"


async def test_locally_the_negotiated_url_is_the_api_websocket_with_a_ticket(
    live_url: str,
) -> None:
    async with httpx.AsyncClient(base_url=live_url, timeout=10) as http:
        sid, token = await new_session(http)
        response = await http.post(negotiate_path(sid), headers=bearer(token))
        assert response.status_code == 200, response.text
        assert response.headers["Cache-Control"] == "no-store"
        body = response.json()
        assert body["service"] == "api"
        port = live_url.rsplit(":", 1)[1]
        assert body["url"].startswith(f"ws://127.0.0.1:{port}/ws/{sid}/events?ticket=")
        assert token not in body["url"]
        async with connect(body["url"]) as socket:
            created = json.loads(await socket.recv())  # the API's socket replays the log
            assert (created["seq"], created["data"]["status"]) == (1, "created")
            await http.delete(f"/api/intake/sessions/{sid}", headers=bearer(token))
            rest = await receive_until_closed(socket)
        assert [(e["seq"], e["data"]["status"]) for e in rest] == [(2, "ended")]
        assert socket.close_code == 1000


async def test_negotiate_is_authorised_per_session(client: httpx.AsyncClient) -> None:
    sid, token = await new_session(client)
    _, other_token = await new_session(client)
    missing = await client.post(negotiate_path(sid))
    assert (missing.status_code, missing.json()["code"]) == (401, "missing_token")
    other = await client.post(negotiate_path(sid), headers=bearer(other_token))
    assert (other.status_code, other.json()["code"]) == (404, "session_not_found")
    assert (await client.post(negotiate_path(sid), headers=bearer(token))).status_code == 200


@pytest_asyncio.fixture(loop_scope="function")
async def azure_like(
    cp_settings: ControlPlaneSettings,
) -> AsyncIterator[tuple[httpx.AsyncClient, CapturingTransport]]:
    """The app as on Functions (no WebSocket of its own) with Web PubSub configured."""
    transport = CapturingTransport()
    settings = cp_settings.model_copy(
        update={"web_pubsub": WebPubSubSettings(endpoint=ENDPOINT, hub="intake")}
    )

    def hub(wps: WebPubSubSettings) -> WebPubSub:
        return WebPubSub(wps, credential=FixedCredential(), transport=transport)

    app = create_app(settings, web_pubsub_factory=hub, serves_websockets=False)
    async with app.router.lifespan_context(app):
        asgi = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=asgi, base_url="https://testserver") as http:
            yield http, transport


async def test_on_azure_negotiate_mints_a_web_pubsub_url_for_the_session_group(
    azure_like: tuple[httpx.AsyncClient, CapturingTransport],
) -> None:
    http, transport = azure_like
    sid, token = await new_session(http)
    body = (await http.post(negotiate_path(sid), headers=bearer(token))).json()
    assert body["service"] == "web_pubsub"
    assert body["url"] == (
        "wss://wps-test.webpubsub.azure.com/client/hubs/intake?access_token=" + CLIENT_TOKEN
    )
    (minted,) = [r for r in transport.requests if r.path.endswith("/:generateToken")]
    assert minted.query["userId"] == [sid]
    assert minted.query["group"] == [f"session-{sid}"]
    assert "role" not in minted.query
    assert minted.headers["Authorization"] == f"Bearer {ENTRA_TOKEN}"
    assert token not in minted.url


async def test_every_event_the_control_plane_logs_is_published_as_logged(
    azure_like: tuple[httpx.AsyncClient, CapturingTransport],
) -> None:
    http, transport = azure_like
    sid, token = await new_session(http)
    await http.delete(f"/api/intake/sessions/{sid}", headers=bearer(token))
    logged = (await http.get(f"/api/intake/sessions/{sid}/events", headers=bearer(token))).json()
    sends = [s for s in transport.sends() if s.path.endswith(f"/groups/session-{sid}/:send")]
    assert [json.loads(s.body) for s in sends] == logged["events"]  # created, ended: same JSON
    assert [e["data"]["status"] for e in logged["events"]] == ["created", "ended"]


async def test_a_failing_web_pubsub_does_not_fail_the_api_and_negotiate_says_retry(
    azure_like: tuple[httpx.AsyncClient, CapturingTransport],
) -> None:
    http, transport = azure_like
    transport.fail_with = 403
    sid, token = await new_session(http)  # its `created` could not be published: still 201
    response = await http.post(negotiate_path(sid), headers=bearer(token))
    assert (response.status_code, response.json()["code"]) == (503, "web_pubsub_unavailable")
    assert response.headers["Retry-After"].isdigit()
    assert (await http.delete(f"/api/intake/sessions/{sid}", headers=bearer(token))).is_success


async def test_without_web_pubsub_functions_answers_501(cp_settings: ControlPlaneSettings) -> None:
    app = create_app(cp_settings, serves_websockets=False)
    async with app.router.lifespan_context(app):
        asgi = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=asgi, base_url="https://testserver") as http:
            sid, token = await new_session(http)
            response = await http.post(negotiate_path(sid), headers=bearer(token))
    assert (response.status_code, response.json()["code"]) == (501, "websocket_unavailable")
