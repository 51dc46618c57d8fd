"""Admission: per-client rate limits (429 + Retry-After), the optional front-end create key, who
"the client" is, and that creating a session never depends on media capacity."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from starlette.requests import Request

from control_plane.admission import CREATE_KEY_HEADER, client_address
from control_plane.app import create_app
from control_plane.settings import ControlPlaneSettings
from shared.storage import TableStore
from tests.control_plane.conftest import (
    OFFER_SDP,
    assert_problem,
    bearer,
    new_session,
    register,
)
from tests.support.fake_media_host import FakeMediaHost

CREATE = "/api/intake/sessions"
PORTAL_KEY = "portal-create-key-" + "p" * 24


@asynccontextmanager
async def api(
    settings: ControlPlaneSettings, client_ip: str = "203.0.113.7"
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(client_ip, 40_000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


def default_limits(settings: ControlPlaneSettings) -> ControlPlaneSettings:
    """The shipped limits (the shared fixture raises them for the other tests)."""
    defaults = ControlPlaneSettings.model_fields
    return settings.model_copy(
        update={
            "create_rate_limit": defaults["create_rate_limit"].default,
            "offer_rate_limit": defaults["offer_rate_limit"].default,
        }
    )


async def test_thirty_rapid_creates_from_one_client_meet_a_429(
    cp_settings: ControlPlaneSettings,
) -> None:
    # No media host is registered at all: creates still succeed until the client's limit.
    async with api(default_limits(cp_settings)) as http:
        responses = await asyncio.gather(
            *(http.post(CREATE, json={"user_language": "en"}) for _ in range(30))
        )
        codes = sorted(r.status_code for r in responses)
        assert set(codes) == {201, 429}, codes
        assert codes.count(201) == 5  # the shipped limit: 5 creates per minute per client
        limited = next(r for r in responses if r.status_code == 429)
        body = assert_problem(limited, 429, "rate_limited")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert "203.0.113.7" not in body["detail"]
        # Another client is not affected by the first one's burst.
    async with api(default_limits(cp_settings), client_ip="198.51.100.9") as other:
        assert (await other.post(CREATE, json={"user_language": "en"})).status_code == 201


async def test_offers_are_limited_per_client(
    cp_settings: ControlPlaneSettings, store: TableStore, fake_host: FakeMediaHost
) -> None:
    await register(store, fake_host, capacity=100)
    settings = cp_settings.model_copy(update={"offer_rate_limit": "3/minute"})
    async with api(settings) as http:
        statuses = []
        for _ in range(4):
            sid, token = await new_session(http)
            offer = await http.post(
                f"{CREATE}/{sid}/offer",
                json={"type": "offer", "sdp": OFFER_SDP},
                headers=bearer(token),
            )
            statuses.append(offer.status_code)
        assert statuses == [200, 200, 200, 429]
        assert_problem(offer, 429, "rate_limited")
        assert len(fake_host.offers) == 3  # the refused offer took no host slot


async def test_create_key_mode_requires_the_key_and_exempts_the_portal_from_address_limits(
    cp_settings: ControlPlaneSettings,
) -> None:
    settings = default_limits(cp_settings).model_copy(
        update={"create_session_key": SecretStr(PORTAL_KEY)}
    )
    async with api(settings) as http:
        missing = await http.post(CREATE, json={"user_language": "en"})
        assert_problem(missing, 401, "invalid_create_key")
        wrong = await http.post(
            CREATE, json={"user_language": "en"}, headers={CREATE_KEY_HEADER: "x" * 42}
        )
        assert_problem(wrong, 401, "invalid_create_key")
        # A portal creates for many patients from one address: not limited per address.
        for _ in range(12):
            created = await http.post(
                CREATE, json={"user_language": "en"}, headers={CREATE_KEY_HEADER: PORTAL_KEY}
            )
            assert created.status_code == 201, created.text


def test_create_key_settings_are_validated() -> None:
    env = {"TRIAGE_STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true"}
    env["TRIAGE_MEDIA_HOST_KEY"] = "k" * 32
    assert ControlPlaneSettings.from_env(env).create_session_key is None
    with pytest.raises(ValidationError):
        ControlPlaneSettings.from_env({**env, "TRIAGE_CREATE_SESSION_KEY": "short"})
    with pytest.raises(ValidationError):
        ControlPlaneSettings.from_env({**env, "TRIAGE_CREATE_RATE_LIMIT": "lots"})
    parsed = ControlPlaneSettings.from_env(
        {**env, "TRIAGE_CREATE_RATE_LIMIT": "2/second;30/hour", "TRIAGE_TRUSTED_PROXY_COUNT": "1"}
    )
    assert parsed.create_rate_limit == "2/second;30/hour" and parsed.trusted_proxy_count == 1


def request_from(peer: str | None, forwarded: list[str] | None = None) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded or []]
    scope = {
        "type": "http",
        "method": "POST",
        "path": CREATE,
        "headers": headers,
        "client": (peer, 1234) if peer else None,
    }
    return Request(scope)


def test_the_client_is_the_socket_peer_unless_proxies_are_trusted() -> None:
    spoofed = ["6.6.6.6"]
    assert client_address(request_from("198.51.100.1", spoofed), 0) == "198.51.100.1"
    assert client_address(request_from(None), 0) == "unknown"
    # Behind one trusted proxy: the entry that proxy appended (the rightmost), not what the
    # client claimed further left; ports as Azure front ends add them are ignored.
    behind_one = request_from("10.0.0.4", ["6.6.6.6, 203.0.113.50:51234"])
    assert client_address(behind_one, 1) == "203.0.113.50"
    # Two proxies (e.g. Front Door, then App Service): the second entry from the right.
    behind_two = request_from("10.0.0.4", ["6.6.6.6", "203.0.113.50, 10.1.1.1"])
    assert client_address(behind_two, 2) == "203.0.113.50"
    # Fewer entries than trusted proxies: not through the proxies; the peer counts.
    assert client_address(request_from("10.0.0.4", ["203.0.113.50"]), 2) == "10.0.0.4"
    # Garbage in the header falls back to the peer.
    assert client_address(request_from("10.0.0.4", ["not-an-ip"]), 1) == "10.0.0.4"
    # IPv6 clients are counted per /64 (one subscriber's usual allocation).
    v6a = client_address(request_from("2001:db8:1:2::10"), 0)
    v6b = client_address(request_from("2001:db8:1:2:ffff::1"), 0)
    assert v6a == v6b == "2001:db8:1:2::/64"
    assert client_address(request_from("10.0.0.4", ["[2001:db8::1]:443"]), 1) == "2001:db8::/64"
    assert client_address(request_from("::ffff:192.0.2.1"), 0) == "192.0.2.1"


async def test_a_full_or_missing_host_never_makes_a_create_fail(
    cp_settings: ControlPlaneSettings, store: TableStore, fake_host: FakeMediaHost
) -> None:
    # Capacity 1, then many patients create sessions: every create succeeds (201) and only
    # offers beyond the capacity are refused.
    await register(store, fake_host, capacity=1)
    async with api(cp_settings) as http:
        sessions = [await new_session(http) for _ in range(4)]
        offers = [
            await http.post(
                f"{CREATE}/{sid}/offer",
                json={"type": "offer", "sdp": OFFER_SDP},
                headers=bearer(token),
            )
            for sid, token in sessions
        ]
    assert [o.status_code for o in offers] == [200, 503, 503, 503]
    assert_problem(offers[1], 503, "no_media_host")
