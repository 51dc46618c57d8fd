"""The Azure Functions entry itself: registered functions, invoked with host-shaped requests.

Functions are indexed once per test session (``app.get_functions()``), found by name, and their
user function is called with a FastAPI ``Request`` built like the streaming extension's worker
web server builds it; the returned response is then sent over ASGI the way that server sends it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from fastapi import Request
from starlette.responses import StreamingResponse

import function_app
from control_plane import web_client
from devtools.azurite import Azurite
from shared.storage import EventLog, TableStore
from tests.control_plane.conftest import HOST_KEY, OFFER_SDP, register
from tests.support.fake_media_host import FakeMediaHost

EXPECTED_FUNCTIONS = {
    "create_session": ("api/intake/sessions", {"POST"}),
    "session": ("api/intake/sessions/{session_id}", {"GET", "DELETE"}),
    "offer": ("api/intake/sessions/{session_id}/offer", {"POST"}),
    "candidates": ("api/intake/sessions/{session_id}/candidates", {"POST"}),
    "events": ("api/intake/sessions/{session_id}/events", {"GET"}),
    "events_stream": ("api/intake/sessions/{session_id}/events/stream", {"GET"}),
    "stream_ticket": ("api/intake/sessions/{session_id}/stream-ticket", {"POST"}),
    "events_negotiate": ("api/intake/sessions/{session_id}/events/negotiate", {"POST"}),
    "summary": ("api/intake/sessions/{session_id}/summary", {"GET"}),
    "health": ("api/health", {"GET"}),
    "api_other": ("{*path}", {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}),
}


@pytest.fixture(scope="session")
def functions() -> dict[str, Any]:
    """Index the Functions app once per test process, by function name."""
    return {fn.get_function_name(): fn for fn in function_app.app.get_functions()}


@pytest.fixture
def function_env(
    monkeypatch: pytest.MonkeyPatch, azurite: Azurite, table_prefix: str
) -> Iterator[None]:
    monkeypatch.setenv("TRIAGE_STORAGE_CONNECTION_STRING", azurite.connection_string)
    monkeypatch.setenv("TRIAGE_TABLE_PREFIX", table_prefix)
    monkeypatch.setenv("TRIAGE_MEDIA_HOST_KEY", HOST_KEY)
    monkeypatch.setenv("TRIAGE_SSE_HEARTBEAT_SECONDS", "0.3")
    monkeypatch.setenv("TRIAGE_SSE_MAX_STREAM_SECONDS", "15")
    yield


@pytest_asyncio.fixture(loop_scope="function")
async def host_registered(
    function_env: None, azurite: Azurite, table_prefix: str, fake_host: FakeMediaHost
) -> AsyncIterator[TableStore]:
    from pydantic import SecretStr

    from shared.config import StorageSettings

    settings = StorageSettings(
        connection_string=SecretStr(azurite.connection_string), table_prefix=table_prefix
    )
    async with TableStore.from_settings(settings) as store:
        await register(store, fake_host)
        yield store
    await function_app.bridge.aclose()  # the next test starts the app in its own loop


class HostRequest:
    """A request as the worker's web server hands it to the function, plus its transport."""

    def __init__(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        query: str = "",
    ) -> None:
        raw_headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        if body:
            raw_headers.append((b"content-length", str(len(body)).encode()))
        self.scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": query.encode(),
            "headers": raw_headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 7071),
            # keys the worker's own FastAPI router adds; the bridge must not pass them on
            "path_params": {"path": path.lstrip("/")},
            "endpoint": object(),
        }
        self._body = body
        self._sent_body = False
        self.disconnected = asyncio.Event()

    async def receive(self) -> dict[str, Any]:
        if not self._sent_body:
            self._sent_body = True
            return {"type": "http.request", "body": self._body, "more_body": False}
        await self.disconnected.wait()
        return {"type": "http.disconnect"}

    def request(self) -> Request:
        return Request(self.scope, self.receive)


async def invoke(
    functions: dict[str, Any], name: str, host_request: HostRequest
) -> tuple[int, dict[str, str], bytes]:
    """Call the registered function and send its response like the worker's server does."""
    response = await functions[name].get_user_function()(host_request.request())
    assert isinstance(response, StreamingResponse)
    messages: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await response(host_request.scope, host_request.receive, send)
    start = messages[0]
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], headers, body


def test_functions_are_registered_with_routes_and_anonymous_auth(functions: dict[str, Any]) -> None:
    assert set(functions) == set(EXPECTED_FUNCTIONS) | {"sweep_dead_hosts"}
    for name, (route, methods) in EXPECTED_FUNCTIONS.items():
        trigger = functions[name].get_trigger()
        assert trigger.route == route
        assert {str(m.value) for m in trigger.methods} == methods
        bindings = functions[name].get_bindings_dict()["bindings"]
        http = next(b for b in bindings if b["type"] == "httpTrigger")
        assert str(http["authLevel"].value) == "anonymous"


async def test_session_flow_through_the_functions_entry(
    functions: dict[str, Any], host_registered: TableStore, fake_host: FakeMediaHost
) -> None:
    status, headers, body = await invoke(
        functions,
        "create_session",
        HostRequest(
            "POST",
            "/api/intake/sessions",
            body=b'{"user_language": "en"}',
            headers={"content-type": "application/json"},
        ),
    )
    assert status == 201, body
    created = json.loads(body)
    sid, auth = created["session_id"], {"authorization": f"Bearer {created['session_token']}"}
    assert headers["location"] == f"/api/intake/sessions/{sid}"

    offer = json.dumps({"type": "offer", "sdp": OFFER_SDP}).encode()
    status, _, body = await invoke(
        functions,
        "offer",
        HostRequest(
            "POST",
            f"/api/intake/sessions/{sid}/offer",
            body=offer,
            headers={**auth, "content-type": "application/json"},
        ),
    )
    assert status == 200 and json.loads(body)["type"] == "answer"
    assert fake_host.offers[sid].sdp == OFFER_SDP

    status, _, body = await invoke(
        functions, "session", HostRequest("GET", f"/api/intake/sessions/{sid}", headers=auth)
    )
    assert status == 200 and json.loads(body)["status"] == "connecting"

    status, _, body = await invoke(
        functions,
        "events",
        HostRequest("GET", f"/api/intake/sessions/{sid}/events", headers=auth, query="after=0"),
    )
    assert [e["data"]["status"] for e in json.loads(body)["events"]] == ["created", "connecting"]

    status, _, _ = await invoke(
        functions, "session", HostRequest("DELETE", f"/api/intake/sessions/{sid}", headers=auth)
    )
    assert status == 204 and sid in fake_host.hung_up


async def test_errors_through_the_functions_entry(
    functions: dict[str, Any], host_registered: TableStore
) -> None:
    status, headers, body = await invoke(
        functions,
        "create_session",
        HostRequest(
            "POST",
            "/api/intake/sessions",
            body=b"{bad",
            headers={"content-type": "application/json"},
        ),
    )
    assert status == 400 and headers["content-type"] == "application/problem+json"
    assert json.loads(body)["code"] == "invalid_json"
    status, headers, body = await invoke(
        functions, "session", HostRequest("GET", "/api/intake/sessions/abc")
    )
    assert status == 401 and headers["www-authenticate"].startswith("Bearer")
    status, _, body = await invoke(functions, "api_other", HostRequest("GET", "/api/unknown"))
    assert status == 404 and json.loads(body)["code"] == "not_found"
    status, _, body = await invoke(functions, "api_other", HostRequest("GET", "/api/docs"))
    assert status == 200 and b"swagger-ui" in body
    status, _, body = await invoke(functions, "health", HostRequest("GET", "/api/health"))
    assert status == 200 and json.loads(body) == {"status": "ok", "storage": "ok"}


async def test_sse_streams_through_the_functions_entry(
    functions: dict[str, Any], host_registered: TableStore
) -> None:
    _, _, body = await invoke(
        functions,
        "create_session",
        HostRequest(
            "POST",
            "/api/intake/sessions",
            body=b'{"user_language": "es"}',
            headers={"content-type": "application/json"},
        ),
    )
    created = json.loads(body)
    sid, auth = created["session_id"], {"authorization": f"Bearer {created['session_token']}"}
    host_request = HostRequest(
        "GET",
        f"/api/intake/sessions/{sid}/events/stream",
        headers={**auth, "last-event-id": "0"},
    )
    response = await functions["events_stream"].get_user_function()(host_request.request())
    assert response.status_code == 200
    assert dict(response.headers)["content-type"].startswith("text/event-stream")
    received = b""
    chunks = response.body_iterator
    # Chunks arrive one by one while the stream stays open: it is not buffered.
    while b"id: 1\n" not in received:
        received += await asyncio.wait_for(anext(chunks), 5)  # type: ignore[arg-type]
    from shared.events import NewEvent, TranscriptChunk

    await EventLog(host_registered).append(
        sid, [NewEvent(data=TranscriptChunk(role="agent", item_id="a", text="hola", final=True))]
    )
    while b"id: 2\n" not in received:
        received += await asyncio.wait_for(anext(chunks), 5)  # type: ignore[arg-type]
    assert b'"type":"transcript_chunk"' in received
    await chunks.aclose()  # the client leaves: the app's generator is cancelled cleanly


async def test_sse_streams_over_http_through_the_extensions_web_server(
    functions: dict[str, Any], host_registered: TableStore
) -> None:
    """Serve the function the way the worker does — the extension's ``WebApp`` with a catch-all
    route handing the request to the function and returning its response, under uvicorn — and
    read the stream over real HTTP while events are appended: chunks arrive as they happen."""
    import socket

    import httpx
    import uvicorn
    from azurefunctions.extensions.http.fastapi import WebApp

    from shared.events import NewEvent, TranscriptChunk

    routes = {
        "/api/intake/sessions": "create_session",
        "/stream": "events_stream",
    }
    web_app = WebApp()

    @web_app.route
    async def catch_all(request: Request) -> Any:
        name = routes["/stream" if request.url.path.endswith("/stream") else request.url.path]
        return await functions[name].get_user_function()(request)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(web_app.get_app(), log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            created = (await http.post("/api/intake/sessions", json={"user_language": "en"})).json()
            sid = created["session_id"]
            headers = {"Authorization": f"Bearer {created['session_token']}"}
            log = EventLog(host_registered)
            seen: list[str] = []
            async with http.stream(
                "GET", f"/api/intake/sessions/{sid}/events/stream", headers=headers
            ) as response:
                assert response.headers["content-type"].startswith("text/event-stream")
                async for line in response.aiter_lines():
                    if not line.startswith("id: "):
                        continue
                    seen.append(line[4:])
                    if len(seen) == 3:
                        break
                    # Each event is appended only after the previous one arrived: a buffered
                    # response would never get here.
                    await log.append(
                        sid,
                        [
                            NewEvent(
                                data=TranscriptChunk(
                                    role="agent", item_id="x", text="…", final=False
                                )
                            )
                        ],
                    )
            assert seen == ["1", "2", "3"]
    finally:
        server.should_exit = True
        await serving


async def test_the_timer_function_sweeps_dead_media_hosts(
    functions: dict[str, Any], host_registered: TableStore, fake_host: FakeMediaHost
) -> None:
    from datetime import UTC, datetime, timedelta

    from shared.events import SessionStatus
    from shared.storage import SessionStore
    from shared.tokens import hash_token

    trigger = functions["sweep_dead_hosts"].get_bindings_dict()["bindings"][0]
    assert trigger["type"] == "timerTrigger" and trigger["schedule"] == "*/10 * * * * *"
    sessions = SessionStore(host_registered)
    sid = "f" * 32
    await sessions.create(
        session_id=sid,
        language="en",
        token_hash=hash_token("t" * 43),
        expires_at=datetime.now(UTC) + timedelta(minutes=5),
    )
    await sessions.assign_host(sid, host_id=fake_host.host_id, host_url=fake_host.url)
    await sessions.transition(sid, SessionStatus.LISTENING)
    fake_host.go_down()
    await register(
        host_registered, fake_host, last_heartbeat=datetime.now(UTC) - timedelta(hours=1)
    )
    await functions["sweep_dead_hosts"].get_user_function()(None)
    assert (await sessions.get(sid)).status is SessionStatus.RECONNECTING
    events = await EventLog(host_registered).read(sid)
    assert events[-1].wire()["data"]["status"] == "reconnecting"


async def test_pages_are_served_through_the_functions_catch_all(
    functions: dict[str, Any], host_registered: TableStore
) -> None:
    status, headers, body = await invoke(functions, "api_other", HostRequest("GET", "/"))
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert body == (web_client.STATIC_DIR / "index.html").read_bytes()
    status, headers, body = await invoke(
        functions, "api_other", HostRequest("GET", "/static/intake.js")
    )
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert body == (web_client.STATIC_DIR / "intake.js").read_bytes()
    status, _, body = await invoke(functions, "api_other", HostRequest("GET", "/static/nope.css"))
    assert status == 404 and json.loads(body)["code"] == "not_found"
