"""The control plane's HTTP edge: hostile or unlucky inputs get a 4xx problem+json with a stable
code, never a 500, a leaked internal name or a logged raw value; the OpenAPI document says what
the server does."""

from __future__ import annotations

import asyncio
import logging
import re

import httpx
import pytest
from pydantic import SecretStr

from control_plane.app import create_app
from control_plane.settings import ControlPlaneSettings
from devtools.azurite import Azurite, table_connection_string
from shared.problems import PROBLEM_CONTENT_TYPE
from shared.storage import TableStore
from tests.control_plane.conftest import (
    OFFER_SDP,
    assert_problem,
    bearer,
    new_session,
    register,
)
from tests.support.fake_media_host import FakeMediaHost
from tests.support.tcp_relay import TcpRelay

GOOD_CANDIDATE = (
    "candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0"
)


async def offered_session(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    sid, token = await new_session(client)
    offer = {"type": "offer", "sdp": OFFER_SDP}
    response = await client.post(
        f"/api/intake/sessions/{sid}/offer", json=offer, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    return sid, bearer(token)


@pytest.mark.parametrize(
    "value",
    [
        b"\xb2\xb3",  # superscript digits: str.isdigit() says yes, int() says no
        "１２".encode(),  # full-width digits (UTF-8)
        b"12345678901234567890",  # 20 digits: past the bound ?after= has
        b"1000000000001",
        b"-1",
        b"7e3",
    ],
)
async def test_last_event_id_is_bounded_like_after_and_never_logged(
    client: httpx.AsyncClient,
    registered_host: FakeMediaHost,
    caplog: pytest.LogCaptureFixture,
    value: bytes,
) -> None:
    sid, token = await new_session(client)
    with caplog.at_level(logging.DEBUG):
        response = await client.get(
            f"/api/intake/sessions/{sid}/events/stream",
            headers={**bearer(token), "Last-Event-ID": value},
        )
    body = assert_problem(response, 422, "invalid_last_event_id")
    raw = value.decode("latin-1")
    if len(raw) >= 4:  # shorter values occur in any text by chance
        assert raw not in response.text
        assert raw not in caplog.text
    assert body["errors"][0]["loc"] == ["header", "last-event-id"]


async def test_last_event_id_at_the_bound_resumes(
    client: httpx.AsyncClient, registered_host: FakeMediaHost
) -> None:
    sid, token = await new_session(client)
    await client.delete(f"/api/intake/sessions/{sid}", headers=bearer(token))
    # Ended, and nothing after the cursor: 204 tells EventSource to stop.
    response = await client.get(
        f"/api/intake/sessions/{sid}/events/stream",
        headers={**bearer(token), "Last-Event-ID": "1000000000000"},
    )
    assert response.status_code == 204


@pytest.mark.parametrize(
    "line",
    [
        "candidate:garbage",
        "not a candidate at all",
        "candidate:1 1 udp 2122260223 198.51.100.4 99999999 typ host",  # port past 65535
        "candidate:1 1 udp 99999999999 198.51.100.4 5000 typ host",  # priority past 2^32-1
        "candidate:1 1 udp 2122260223 198.51.100.4 5000 typ host raddr 0.0.0.0 rport 65536",
        "candidate:1 1 udp 2122260223 not_an_address! 5000 typ host",
        "candidate:1 1 sctp 2122260223 198.51.100.4 5000 typ host",
        "candidate:1 1 udp 2122260223 198.51.100.4 5000 typ alien",
    ],
)
async def test_malformed_candidates_are_refused_before_the_media_host(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, line: str
) -> None:
    sid, auth = await offered_session(client)
    response = await client.post(
        f"/api/intake/sessions/{sid}/candidates",
        json={"candidates": [{"candidate": line, "sdpMid": "0"}]},
        headers=auth,
    )
    assert_problem(response, 422, "invalid_candidate")
    assert "198.51.100.4" not in response.text  # the patient's addresses are never echoed
    assert sid not in registered_host.candidates


async def test_valid_candidates_pass_and_a_host_refusal_keeps_its_code(
    client: httpx.AsyncClient, registered_host: FakeMediaHost
) -> None:
    sid, auth = await offered_session(client)
    url = f"/api/intake/sessions/{sid}/candidates"
    mdns = "candidate:1 1 UDP 2122262783 4a1f1c3e-5b8d-4c55-9d5e-0c2b1f0e8a11.local 54321 typ host"
    ipv6 = "candidate:2 1 tcp 1518280447 2001:db8::7 9 typ host tcptype active generation 0"
    body = {
        "candidates": [{"candidate": c, "sdpMid": "0"} for c in (GOOD_CANDIDATE, mdns, ipv6, "")]
    }
    assert (await client.post(url, json=body, headers=auth)).status_code == 204
    assert len(registered_host.candidates[sid]) == 4
    # A candidate the host's ICE agent cannot use: was a 502 (code missing from the relay map).
    registered_host.mode = "problem"
    registered_host.problem_status, registered_host.problem_code = 422, "invalid_candidate"
    response = await client.post(url, json=body, headers=auth)
    assert_problem(response, 422, "invalid_candidate")


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b'{"user_language": "\xff\xfe"}', "not UTF-8"),
        (b'{"user_language": "en", "user_id": ' + b"9" * 5000 + b"}", "5,000-digit integer"),
        (b'{"user_language": ', "truncated"),
    ],
)
async def test_bodies_that_are_not_json_are_invalid_json(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, content: bytes, why: str
) -> None:
    response = await client.post(
        "/api/intake/sessions", content=content, headers={"content-type": "application/json"}
    )
    assert_problem(response, 400, "invalid_json")


async def test_bodies_not_sent_as_json_are_415(
    client: httpx.AsyncClient, registered_host: FakeMediaHost
) -> None:
    response = await client.post(
        "/api/intake/sessions",
        content=b"user_language=en",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert_problem(response, 415, "unsupported_media_type")
    json_with_charset = await client.post(
        "/api/intake/sessions",
        content=b'{"user_language": "en"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert json_with_charset.status_code == 201


async def test_options_and_wrong_methods_list_every_method_of_the_path(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options("/api/intake/sessions/abc")
    assert_problem(response, 405, "method_not_allowed")
    assert set(response.headers["allow"].split(", ")) == {"GET", "DELETE"}
    response = await client.put("/api/intake/sessions/abc")
    assert set(response.headers["allow"].split(", ")) == {"GET", "DELETE"}
    response = await client.get("/api/intake/sessions")
    assert response.headers["allow"] == "POST"


async def test_openapi_documents_problems_and_the_400s(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/openapi.json")).json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == [PROBLEM_CONTENT_TYPE], (path, method)
            assert "500" in operation["responses"] and "503" in operation["responses"]
    sessions = "/api/intake/sessions"
    for path, method in [
        (sessions, "post"),
        (sessions + "/{session_id}/offer", "post"),
        (sessions + "/{session_id}/candidates", "post"),
    ]:
        responses = schema["paths"][path][method]["responses"]
        assert {"400", "413", "415", "422"} <= set(responses), path
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert "Problem" in schema["components"]["schemas"]


SUPPORTED = ["en", "es", "pt-br"]
TAGS = [
    "en", "EN", "en-GB", "en-gb-oxendict", "es-419", "pt-BR", "PT-br",
    "pt", "pt-PT", "pt-br-x1", "fr", "e", "eng", "en-", "en-toolongsubtag", "en_US", "",
    "es\n", "zz-es",
]  # fmt: skip


def test_the_published_language_pattern_is_exactly_what_is_accepted(
    cp_settings: ControlPlaneSettings,
) -> None:
    settings = cp_settings.model_copy(update={"supported_languages": SUPPORTED})
    pattern = settings.language_pattern()
    for tag in TAGS:
        # ECMA-262 `$` (what OpenAPI tools use) matches only at the very end, like fullmatch.
        published = re.fullmatch(pattern.removeprefix("^").removesuffix("$"), tag) is not None
        assert published == (settings.match_language(tag) is not None), tag


async def test_a_language_valid_by_the_schema_is_accepted(
    client: httpx.AsyncClient, registered_host: FakeMediaHost
) -> None:
    schema = (await client.get("/api/openapi.json")).json()
    field = schema["components"]["schemas"]["CreateSessionRequest"]["properties"]["user_language"]
    for tag in ("en", "EN-us", "es-419", "Es-MX-valencia"):
        assert re.match(field["pattern"], tag)
        response = await client.post("/api/intake/sessions", json={"user_language": tag})
        assert response.status_code == 201, (tag, response.text)
    assert not re.match(field["pattern"], "fr")
    response = await client.post("/api/intake/sessions", json={"user_language": "fr"})
    assert_problem(response, 422, "unsupported_language")


async def test_storage_outage_ends_sse_cleanly_and_503_says_retry_after(
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
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
        ):
            sid, token = await new_session(http)

            async def cut_soon() -> None:
                await asyncio.sleep(0.5)
                await relay.cut()

            cutter = asyncio.create_task(cut_soon())
            # The ASGI transport returns once the stream ended: it must end, not raise.
            response = await http.get(
                f"/api/intake/sessions/{sid}/events/stream", headers=bearer(token)
            )
            await cutter
            assert response.status_code == 200
            assert 'id: 1\ndata: {"v":1,"seq":1,' in response.text
            assert response.text.endswith(": storage unavailable; reconnect with Last-Event-ID\n\n")
            health = await http.get("/api/health")
            assert_problem(health, 503, "storage_unavailable")
            assert health.headers["retry-after"].isdigit()
    finally:
        if relay._server is not None:
            await relay.cut()
