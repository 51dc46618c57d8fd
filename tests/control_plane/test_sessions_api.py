"""Session creation, reading, ending, auth and expiry through the FastAPI app."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import httpx
from pydantic import SecretStr

from control_plane.app import create_app
from control_plane.settings import ControlPlaneSettings
from devtools.azurite import Azurite, table_connection_string
from shared.config import IceSettings
from shared.events import SessionStatus
from shared.storage import EventLog, SessionStore, TableStore
from shared.tokens import hash_token
from tests.control_plane.conftest import (
    OFFER_SDP,
    assert_problem,
    bearer,
    new_session,
    register,
)
from tests.support.fake_media_host import FakeMediaHost
from tests.support.tcp_relay import TcpRelay


async def test_create_session_returns_token_ice_and_urls(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, store: TableStore
) -> None:
    response = await client.post(
        "/api/intake/sessions", json={"user_language": "es-MX", "user_id": "u-42"}
    )
    assert response.status_code == 201
    body = response.json()
    sid, token = body["session_id"], body["session_token"]
    assert len(base64.urlsafe_b64decode(token + "=")) == 32
    assert body["events_url"] == f"/api/intake/sessions/{sid}/events"
    assert body["stream_url"] == f"/api/intake/sessions/{sid}/events/stream"
    assert response.headers["location"] == f"/api/intake/sessions/{sid}"
    assert body["ice_servers"] == []  # no STUN/TURN configured in tests
    record = await SessionStore(store).get(sid)
    assert record.token_hash == hash_token(token) and token not in record.model_dump_json()
    assert record.language == "es" and record.user_id == "u-42"
    assert record.media_host_id is None  # a host is chosen when the offer arrives
    events = await EventLog(store).read(sid)
    assert [e.wire()["data"] for e in events] == [{"status": "created", "detail": ""}]

    got = await client.get(f"/api/intake/sessions/{sid}", headers=bearer(token))
    assert got.status_code == 200
    view = got.json()
    assert view["status"] == "created" and view["language"] == "es"
    assert view["media_host_id"] is None and view["summary_ready"] is False
    assert "token" not in got.text and "internal_url" not in got.text


async def test_turn_credentials_are_issued_when_configured(
    cp_settings: ControlPlaneSettings, registered_host: FakeMediaHost
) -> None:
    settings = cp_settings.model_copy(
        update={
            "ice": IceSettings(
                stun_urls=["stun:stun.example:3478"],
                turn_urls=["turn:turn.example:3478"],
                turn_secret=SecretStr("turn-secret"),
                turn_ttl_seconds=600,
            )
        }
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        response = await http.post("/api/intake/sessions", json={"user_language": "en"})
    body = response.json()
    stun, turn = body["ice_servers"]
    assert stun == {"urls": ["stun:stun.example:3478"], "username": None, "credential": None}
    expiry, session = turn["username"].split(":")
    assert session == body["session_id"]
    assert 590 <= int(expiry) - datetime.now(UTC).timestamp() <= 610
    mac = hmac.new(b"turn-secret", turn["username"].encode(), hashlib.sha1).digest()
    assert turn["credential"] == base64.b64encode(mac).decode()


async def test_create_session_input_errors(
    client: httpx.AsyncClient, registered_host: FakeMediaHost
) -> None:
    url = "/api/intake/sessions"
    bad_json = await client.post(
        url, content=b'{"user_language": "en"', headers={"content-type": "application/json"}
    )
    assert_problem(bad_json, 400, "invalid_json")
    wrong_type = await client.post(url, json={"user_language": 42})
    body = assert_problem(wrong_type, 422, "validation_error")
    assert body["errors"][0]["loc"] == ["body", "user_language"]
    missing = await client.post(url, json={})
    assert_problem(missing, 422, "validation_error")
    extra = await client.post(url, json={"user_language": "en", "admin": True})
    assert_problem(extra, 422, "validation_error")
    unsupported = await client.post(url, json={"user_language": "fr"})
    assert "en, es" in assert_problem(unsupported, 422, "unsupported_language")["detail"]
    not_a_tag = await client.post(url, json={"user_language": "en_US!"})
    assert_problem(not_a_tag, 422, "unsupported_language")
    bad_user = await client.post(url, json={"user_language": "en", "user_id": "a b"})
    assert_problem(bad_user, 422, "validation_error")
    big = await client.post(
        url, content=b"{" + b" " * 70_000 + b"}", headers={"content-type": "application/json"}
    )
    assert_problem(big, 413, "payload_too_large")


async def test_create_takes_no_media_capacity_and_an_offer_without_a_host_gives_503(
    client: httpx.AsyncClient, store: TableStore, fake_host: FakeMediaHost
) -> None:
    # No host at all: creating still works (it costs no media capacity) ...
    sid, token = await new_session(client)
    # ... and the offer, which is what takes a slot, says when to retry.
    offer = {"type": "offer", "sdp": OFFER_SDP}
    url = f"/api/intake/sessions/{sid}/offer"
    response = await client.post(url, json=offer, headers=bearer(token))
    body = assert_problem(response, 503, "no_media_host")
    assert "media host" in body["detail"] and response.headers["retry-after"] == "5"
    stale = datetime.now(UTC) - timedelta(minutes=10)
    await register(store, fake_host, last_heartbeat=stale)
    assert_problem(await client.post(url, json=offer, headers=bearer(token)), 503, "no_media_host")
    await register(store, fake_host, draining=True)
    assert_problem(await client.post(url, json=offer, headers=bearer(token)), 503, "no_media_host")
    # A full host does not stop creates either.
    await register(store, fake_host, active_sessions=10)
    await new_session(client)
    assert fake_host.calls == []


async def test_auth_errors(client: httpx.AsyncClient, registered_host: FakeMediaHost) -> None:
    sid, token = await new_session(client)
    other_sid, other_token = await new_session(client)
    url = f"/api/intake/sessions/{sid}"
    missing = await client.get(url)
    assert_problem(missing, 401, "missing_token")
    assert missing.headers["www-authenticate"].startswith("Bearer")
    basic = await client.get(url, headers={"Authorization": "Basic abc"})
    assert_problem(basic, 401, "missing_token")
    wrong = await client.get(url, headers=bearer(token[:-1] + ("A" if token[-1] != "A" else "B")))
    assert_problem(wrong, 401, "invalid_token")
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    huge = await client.get(url, headers=bearer("x" * 5000))
    assert_problem(huge, 401, "invalid_token")
    # A valid token for another session: 404, exactly like an unknown id.
    foreign = await client.get(url, headers=bearer(other_token))
    unknown = await client.get("/api/intake/sessions/" + "0" * 32, headers=bearer(token))
    assert_problem(foreign, 404, "session_not_found")
    assert_problem(unknown, 404, "session_not_found")
    assert foreign.json()["detail"] == unknown.json()["detail"]
    for path in ("", "/summary", "/events", "/events/stream"):
        assert (await client.get(url + path, headers=bearer(other_token))).status_code == 404
    assert (await client.delete(url, headers=bearer(other_token))).status_code == 404
    offer = await client.post(
        url + "/offer", json={"type": "offer", "sdp": OFFER_SDP}, headers=bearer(other_token)
    )
    assert_problem(offer, 404, "session_not_found")
    assert (
        await client.get(f"/api/intake/sessions/{other_sid}", headers=bearer(other_token))
    ).status_code == 200


async def new_call(client: httpx.AsyncClient) -> tuple[str, str]:
    """A session whose offer was answered (so it lives on a media host)."""
    sid, token = await new_session(client)
    offer = {"type": "offer", "sdp": OFFER_SDP}
    response = await client.post(
        f"/api/intake/sessions/{sid}/offer", json=offer, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    return sid, token


async def test_delete_ends_session_idempotently_and_tells_the_host(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, store: TableStore
) -> None:
    sid, token = await new_call(client)
    url = f"/api/intake/sessions/{sid}"
    assert (await client.delete(url, headers=bearer(token))).status_code == 204
    assert sid in registered_host.hung_up
    assert (await client.delete(url, headers=bearer(token))).status_code == 204
    view = (await client.get(url, headers=bearer(token))).json()
    assert view["status"] == "ended"
    statuses = [e.wire()["data"]["status"] for e in await EventLog(store).read(sid)]
    assert statuses == ["created", "connecting", "ended"]  # announced once
    offer = await client.post(
        url + "/offer", json={"type": "offer", "sdp": OFFER_SDP}, headers=bearer(token)
    )
    assert_problem(offer, 409, "session_ended")


async def test_delete_succeeds_when_the_media_host_is_down(
    client: httpx.AsyncClient, registered_host: FakeMediaHost
) -> None:
    sid, token = await new_call(client)
    registered_host.go_down()
    url = f"/api/intake/sessions/{sid}"
    assert (await client.delete(url, headers=bearer(token))).status_code == 204
    view = (await client.get(url, headers=bearer(token))).json()
    assert view["status"] == "ended"
    assert "media host not reached (media_host_unavailable)" in view["status_detail"]


async def test_expired_session_is_gone_for_signalling_but_readable(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, store: TableStore
) -> None:
    sid, token = await new_session(client)
    # Move its expiry into the past, as time passing would.
    table = store.table("sessions")
    entity = await table.get_entity(sid, "session")
    entity["expires_at"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    await table.update_entity(entity)
    url = f"/api/intake/sessions/{sid}"
    offer = await client.post(
        url + "/offer", json={"type": "offer", "sdp": OFFER_SDP}, headers=bearer(token)
    )
    assert_problem(offer, 410, "session_expired")
    cands = await client.post(
        url + "/candidates", json={"candidates": [{"candidate": ""}]}, headers=bearer(token)
    )
    assert_problem(cands, 410, "session_expired")
    view = await client.get(url, headers=bearer(token))
    assert view.status_code == 200 and view.json()["status"] == SessionStatus.EXPIRED
    events = (await client.get(url + "/events", headers=bearer(token))).json()
    assert [e["data"]["status"] for e in events["events"]] == ["created", "expired"]
    assert events["status"] == "expired"
    assert_problem(
        await client.get(url + "/summary", headers=bearer(token)), 409, "summary_not_ready"
    )
    assert (await client.delete(url, headers=bearer(token))).status_code == 204


async def test_health_docs_and_unknown_routes(client: httpx.AsyncClient) -> None:
    health = await client.get("/api/health")
    assert health.json() == {"status": "ok", "storage": "ok"}
    schema = (await client.get("/api/openapi.json")).json()
    paths = set(schema["paths"])
    assert {
        "/api/intake/sessions",
        "/api/intake/sessions/{session_id}",
        "/api/intake/sessions/{session_id}/offer",
        "/api/intake/sessions/{session_id}/candidates",
        "/api/intake/sessions/{session_id}/events",
        "/api/intake/sessions/{session_id}/events/stream",
        "/api/intake/sessions/{session_id}/summary",
        "/api/health",
    } <= paths
    assert "swagger-ui" in (await client.get("/api/docs")).text
    assert "redoc" in (await client.get("/api/redoc")).text.lower()
    assert_problem(await client.get("/api/nope"), 404, "not_found")
    assert_problem(await client.put("/api/health"), 405, "method_not_allowed")


async def test_settings_from_env_and_cors(cp_settings: ControlPlaneSettings) -> None:
    env = {
        "TRIAGE_STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true",
        "TRIAGE_MEDIA_HOST_KEY": "k" * 32,
        "TRIAGE_SUPPORTED_LANGUAGES": "en, es, PT-br",
        "TRIAGE_SESSION_TTL_SECONDS": "900",
        "TRIAGE_CORS_ORIGINS": "http://localhost:5173",
    }
    settings = ControlPlaneSettings.from_env(env)
    assert settings.supported_languages == ["en", "es", "pt-br"]
    assert settings.session_ttl_s == 900 and settings.long_poll_max_s == 25
    assert settings.relay_connect_timeout_s == 2 and settings.relay_read_timeout_s == 10
    assert settings.match_language("pt-BR") == "pt-br"
    assert settings.match_language("en-GB") == "en" and settings.match_language("de") is None
    app = create_app(cp_settings.model_copy(update={"cors_origins": ["http://localhost:5173"]}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        preflight = await http.options(
            "/api/intake/sessions",
            headers={
                "Origin": "http://localhost:5173",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"


async def test_storage_outage_gives_503_storage_unavailable(
    cp_settings: ControlPlaneSettings, azurite: Azurite
) -> None:
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
        assert (await http.get("/api/health")).status_code == 200
        await relay.cut()
        health = await http.get("/api/health")
        assert_problem(health, 503, "storage_unavailable")
        create = await http.post("/api/intake/sessions", json={"user_language": "en"})
        assert_problem(create, 503, "storage_unavailable")
        await relay.start()
        assert (await http.get("/api/health")).status_code == 200
    await relay.cut()


async def test_delete_is_not_held_up_by_a_hanging_media_host(
    client: httpx.AsyncClient, registered_host: FakeMediaHost
) -> None:
    import time

    sid, token = await new_call(client)
    registered_host.mode, registered_host.delay_s = "slow", 30.0
    started = time.monotonic()
    response = await client.delete(f"/api/intake/sessions/{sid}", headers=bearer(token))
    assert response.status_code == 204
    assert time.monotonic() - started < 5  # bounded by the relay's hang-up timeout
    view = (await client.get(f"/api/intake/sessions/{sid}", headers=bearer(token))).json()
    assert view["status"] == "ended" and "media_host_timeout" in view["status_detail"]
