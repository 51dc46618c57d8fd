"""A dead media host is noticed (stale heartbeat, or refused internal call) and its sessions are
moved to ``reconnecting``; a fresh offer then lands on a live host. Real Azurite, real HTTP fake
hosts (tests/support/fake_media_host.py). The real-process version with a resumed interview is
tests/media_host/test_host_failover_e2e.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from control_plane.app import create_app
from control_plane.host_watch import sweep_app
from control_plane.settings import ControlPlaneSettings
from shared.events import SessionStatus, StatusUpdate
from shared.session_state import can_transition
from shared.storage import EventLog, MediaHostRegistry, SessionStore, TableStore
from tests.control_plane.conftest import (
    HOST_KEY,
    OFFER_SDP,
    assert_problem,
    bearer,
    new_session,
    register,
)
from tests.support.fake_media_host import FakeMediaHost

OFFER = {"type": "offer", "sdp": OFFER_SDP}


@pytest.fixture
def second_host() -> Iterator[FakeMediaHost]:
    host = FakeMediaHost(key=HOST_KEY, host_id="fake-host-2").start()
    try:
        yield host
    finally:
        host.stop()


@pytest.fixture
def api_app(cp_settings: ControlPlaneSettings) -> FastAPI:
    """The API without its background sweeper: each test drives sweeps itself."""
    return create_app(cp_settings.model_copy(update={"host_sweep_interval_s": 0}))


@pytest_asyncio.fixture(loop_scope="function")
async def app_client(api_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_app.router.lifespan_context(api_app):
        transport = httpx.ASGITransport(app=api_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def statuses(store: TableStore, sid: str) -> list[SessionStatus]:
    events = await EventLog(store).read(sid)
    return [e.data.status for e in events if isinstance(e.data, StatusUpdate)]


async def call_on(http: httpx.AsyncClient, host: FakeMediaHost) -> tuple[str, str]:
    sid, token = await new_session(http)
    response = await http.post(
        f"/api/intake/sessions/{sid}/offer", json=OFFER, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    assert sid in host.offers
    return sid, token


def test_reconnecting_is_live_and_only_a_new_offer_or_an_end_follows_it() -> None:
    assert not SessionStatus.RECONNECTING.is_terminal
    for live in ("connecting", "connected", "listening", "agent_speaking"):
        assert can_transition(SessionStatus(live), SessionStatus.RECONNECTING)
    assert not can_transition(SessionStatus.CREATED, SessionStatus.RECONNECTING)
    assert can_transition(SessionStatus.RECONNECTING, SessionStatus.CONNECTING)
    assert can_transition(SessionStatus.RECONNECTING, SessionStatus.FAILED)
    # A cut-off host cannot make a reconnecting session look live again.
    assert not can_transition(SessionStatus.RECONNECTING, SessionStatus.LISTENING)
    assert not can_transition(SessionStatus.COMPLETED, SessionStatus.RECONNECTING)


async def test_stale_heartbeat_moves_sessions_to_reconnecting_and_a_new_offer_moves_hosts(
    api_app: FastAPI,
    app_client: httpx.AsyncClient,
    store: TableStore,
    fake_host: FakeMediaHost,
    second_host: FakeMediaHost,
) -> None:
    await register(store, fake_host)
    sid, token = await call_on(app_client, fake_host)
    await SessionStore(store).transition(sid, SessionStatus.LISTENING, detail="host says")
    other_sid, _ = await new_session(app_client)  # created, never offered: stays as it is
    await register(store, second_host)

    # Host 1 dies: its heartbeat goes stale.
    fake_host.go_down()
    stale = datetime.now(UTC) - timedelta(seconds=60)
    await register(store, fake_host, last_heartbeat=stale)
    assert await sweep_app(api_app) == 1
    assert (await statuses(store, sid))[-1] is SessionStatus.RECONNECTING
    view = (await app_client.get(f"/api/intake/sessions/{sid}", headers=bearer(token))).json()
    assert view["status"] == "reconnecting" and "new offer" in view["status_detail"]
    assert (await statuses(store, other_sid)) == [SessionStatus.CREATED]
    # Idempotent: a second sweep finds nothing more to do; the dead host left the registry.
    assert await sweep_app(api_app) == 0
    assert [h.host_id for h in await MediaHostRegistry(store).list_hosts()] == ["fake-host-2"]

    response = await app_client.post(
        f"/api/intake/sessions/{sid}/offer", json=OFFER, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    assert sid in second_host.offers
    record = await SessionStore(store).get(sid)
    assert record.media_host_id == "fake-host-2" and record.status is SessionStatus.CONNECTING
    assert (await statuses(store, sid))[-2:] == [
        SessionStatus.RECONNECTING,
        SessionStatus.CONNECTING,
    ]


async def test_an_offer_to_a_host_that_refuses_connections_fails_over_at_once(
    app_client: httpx.AsyncClient,
    store: TableStore,
    fake_host: FakeMediaHost,
    second_host: FakeMediaHost,
) -> None:
    await register(store, fake_host)
    sid, token = await call_on(app_client, fake_host)
    await register(store, second_host, active_sessions=5)
    fake_host.go_down()  # crashed a moment ago: its heartbeat still looks fresh
    response = await app_client.post(
        f"/api/intake/sessions/{sid}/offer", json=OFFER, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    assert sid in second_host.offers
    assert (await statuses(store, sid))[-2:] == [
        SessionStatus.RECONNECTING,
        SessionStatus.CONNECTING,
    ]


async def test_candidates_refused_by_a_dead_host_tell_the_browser_to_reconnect(
    app_client: httpx.AsyncClient, store: TableStore, fake_host: FakeMediaHost
) -> None:
    await register(store, fake_host)
    sid, token = await call_on(app_client, fake_host)
    fake_host.go_down()
    response = await app_client.post(
        f"/api/intake/sessions/{sid}/candidates",
        json={"candidates": [{"candidate": ""}]},
        headers=bearer(token),
    )
    assert_problem(response, 502, "media_host_unavailable")
    assert (await statuses(store, sid))[-1] is SessionStatus.RECONNECTING


async def test_background_sweeper_notices_a_dead_host_without_any_request(
    cp_settings: ControlPlaneSettings, store: TableStore, fake_host: FakeMediaHost
) -> None:
    settings = cp_settings.model_copy(
        update={"host_sweep_interval_s": 0.2, "host_dead_after_s": 1.0}
    )
    await register(store, fake_host)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            sid, _token = await call_on(http, fake_host)
            fake_host.go_down()  # and no more heartbeats: it goes stale after 1 s
            for _ in range(100):
                if (await statuses(store, sid))[-1] is SessionStatus.RECONNECTING:
                    break
                await asyncio.sleep(0.1)
    assert (await statuses(store, sid))[-1] is SessionStatus.RECONNECTING


async def test_a_terminal_session_on_a_dead_host_stays_as_it_is(
    api_app: FastAPI, app_client: httpx.AsyncClient, store: TableStore, fake_host: FakeMediaHost
) -> None:
    await register(store, fake_host)
    sid, _token = await call_on(app_client, fake_host)
    await SessionStore(store).transition(sid, SessionStatus.COMPLETED, detail="done")
    fake_host.go_down()
    await register(store, fake_host, last_heartbeat=datetime.now(UTC) - timedelta(minutes=5))
    assert await sweep_app(api_app) == 0
    assert (await statuses(store, sid))[-1] is SessionStatus.CONNECTING  # no new event
    assert await SessionStore(store).sessions_on_host(fake_host.host_id) == []


async def test_a_late_heartbeat_from_a_host_that_still_answers_is_not_a_failure(
    api_app: FastAPI, app_client: httpx.AsyncClient, store: TableStore, fake_host: FakeMediaHost
) -> None:
    # E.g. storage was unreachable for longer than the threshold: the host could not beat, but
    # its calls are fine. The probe keeps them where they are.
    await register(store, fake_host)
    sid, _token = await call_on(app_client, fake_host)
    await register(store, fake_host, last_heartbeat=datetime.now(UTC) - timedelta(minutes=5))
    assert await sweep_app(api_app) == 0
    assert (await statuses(store, sid))[-1] is SessionStatus.CONNECTING
    assert await SessionStore(store).sessions_on_host(fake_host.host_id) == [sid]
    assert any(call.path.endswith("/health") for call in fake_host.calls)


async def test_one_failed_call_to_a_host_that_answers_its_health_check_keeps_the_session(
    app_client: httpx.AsyncClient, store: TableStore, fake_host: FakeMediaHost
) -> None:
    await register(store, fake_host)
    sid, token = await call_on(app_client, fake_host)
    fake_host.mode, fake_host.health_ok_anyway = "error", True
    response = await app_client.post(
        f"/api/intake/sessions/{sid}/candidates",
        json={"candidates": [{"candidate": ""}]},
        headers=bearer(token),
    )
    assert_problem(response, 502, "media_host_unavailable")
    assert (await statuses(store, sid))[-1] is SessionStatus.CONNECTING  # not reconnecting
