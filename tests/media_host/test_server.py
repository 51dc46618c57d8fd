"""The internal API contract (shared.mediahost_api) against a real host on port 0 + Azurite."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from media_host.runner import running_media_host
from shared.events import SessionStatus
from shared.mediahost_api import (
    API_PREFIX,
    HEALTH_PATH,
    KEY_HEADER,
    candidates_path,
    offer_path,
    session_path,
)
from shared.problems import PROBLEM_CONTENT_TYPE
from shared.storage import EventLog, MediaHostRegistry, TableStore
from tests.media_host.support import (
    AUTH,
    SilentBridge,
    client_peer,
    create_session,
    host_settings,
    offer_body,
    session_store,
)

CANDIDATE = {
    "candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
}


async def offer(http: httpx.AsyncClient, session_id: str, sdp: str) -> httpx.Response:
    return await http.post(offer_path(session_id), json=offer_body(sdp))


async def candidates(http: httpx.AsyncClient, session_id: str, *items: dict) -> httpx.Response:
    return await http.post(candidates_path(session_id), json={"candidates": list(items)})


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_CONTENT_TYPE)
    body = response.json()
    assert body["code"] == code and body["status"] == status


@pytest.fixture
def settings(azurite, table_prefix):
    return host_settings(azurite.connection_string, table_prefix)


async def test_every_endpoint_requires_the_shared_key(settings) -> None:
    async with (
        running_media_host(settings, bridge_factory=SilentBridge) as host,
        httpx.AsyncClient(base_url=host.url) as http,
    ):
        calls = [
            ("POST", offer_path("abc"), {"json": offer_body("v=0")}),
            ("POST", candidates_path("abc"), {"json": {"candidates": []}}),
            ("DELETE", session_path("abc"), {}),
            ("GET", HEALTH_PATH, {}),
        ]
        for method, path, kwargs in calls:
            wrong = ({}, {KEY_HEADER: "wrong-key"}, {KEY_HEADER: AUTH[KEY_HEADER] + "x"})
            for headers in wrong:
                response = await http.request(method, path, headers=headers, **kwargs)
                assert_problem(response, 401, "unauthorized")
        assert (await http.get("/livez")).json() == {"status": "ok"}


async def test_health_and_registry_heartbeat(settings) -> None:
    async with running_media_host(settings, bridge_factory=SilentBridge) as host:
        async with httpx.AsyncClient(base_url=host.url, headers=AUTH) as http:
            health = (await http.get(HEALTH_PATH)).json()
        assert health == {
            "host_id": settings.host_id,
            "status": "ok",
            "active_sessions": 0,
            "capacity": settings.capacity,
        }
        store = TableStore.from_settings(settings.storage)
        await store.open()
        registry = MediaHostRegistry(store)
        record = await registry.get(settings.host_id)
        assert record.internal_url == host.url and record.capacity == settings.capacity
        assert not record.draining
    # Shut down gracefully: the row is gone.
    assert settings.host_id not in [h.host_id for h in await registry.list_hosts()]
    await store.close()


async def test_offer_answer_and_signalling_errors(settings) -> None:
    async with (
        running_media_host(settings, bridge_factory=SilentBridge) as host,
        session_store(settings) as sessions,
    ):
        session_id = await create_session(sessions)
        async with (
            httpx.AsyncClient(base_url=host.url, headers=AUTH, timeout=30) as http,
            client_peer() as (_pc, sdp),
        ):
            # Unknown session.
            assert_problem(await offer(http, "nosuchsession", sdp), 404, "session_not_found")
            # Candidates before any offer.
            response = await candidates(http, session_id, CANDIDATE)
            assert_problem(response, 409, "no_offer_yet")
            # Malformed SDP leaves no trace: a good offer still works afterwards.
            for bad in ("this is not sdp", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"):
                assert_problem(await offer(http, session_id, bad), 422, "invalid_sdp")
            response = await offer(http, session_id, sdp)
            assert response.status_code == 200, response.text
            answer = response.json()
            assert answer["type"] == "answer" and "m=audio" in answer["sdp"]
            assert "a=candidate:" in answer["sdp"]  # aiortc answers with its candidates
            # A second offer for the same session.
            assert_problem(await offer(http, session_id, sdp), 409, "offer_already_accepted")
            # Trickled candidates are accepted now; a garbage one is refused.
            assert (await candidates(http, session_id, CANDIDATE)).status_code == 204
            assert (
                await candidates(http, session_id, {"candidate": "", "sdpMid": "0"})
            ).status_code == 204
            bad = {"candidates": [{"candidate": "candidate:garbage", "sdpMid": "0"}]}
            response = await http.post(candidates_path(session_id), json=bad)
            assert_problem(response, 422, "invalid_candidate")
            health = (await http.get(HEALTH_PATH)).json()
            assert health["active_sessions"] == 1
            # Hang-up is idempotent; afterwards the session is over on this host.
            assert (await http.delete(session_path(session_id))).status_code == 204
            assert (await http.delete(session_path(session_id))).status_code == 204
            assert_problem(await offer(http, session_id, sdp), 409, "session_ended")
            assert_problem(await candidates(http, session_id, CANDIDATE), 409, "session_ended")
            assert (await http.get(HEALTH_PATH)).json()["active_sessions"] == 0
        record = await sessions.get(session_id)
        assert record.status is SessionStatus.ENDED
        assert record.offer_accepted
        store = TableStore.from_settings(settings.storage)
        await store.open()
        events = await EventLog(store).read(session_id)
        await store.close()
        statuses = [e.data.status for e in events if e.type == "status_update"]
        assert statuses[0] is SessionStatus.CONNECTING and statuses[-1] is SessionStatus.ENDED


async def test_offer_for_an_ended_session_and_hang_up_before_offer(settings) -> None:
    async with (
        running_media_host(settings, bridge_factory=SilentBridge) as host,
        session_store(settings) as sessions,
    ):
        ended = await create_session(sessions, status=SessionStatus.ENDED)
        expired = await create_session(sessions, ttl_s=-1)
        never_offered = await create_session(sessions)
        async with (
            httpx.AsyncClient(base_url=host.url, headers=AUTH, timeout=30) as http,
            client_peer() as (_pc, sdp),
        ):
            for session_id in (ended, expired):
                assert_problem(await offer(http, session_id, sdp), 409, "session_ended")
            assert (await http.delete(session_path(never_offered))).status_code == 204
            assert_problem(await offer(http, never_offered, sdp), 409, "session_ended")
            assert (await http.delete(session_path("never-seen-anywhere"))).status_code == 204


async def test_bad_bodies(settings) -> None:
    async with (
        running_media_host(settings, bridge_factory=SilentBridge) as host,
        httpx.AsyncClient(base_url=host.url, headers=AUTH) as http,
    ):
        json_type = {"content-type": "application/json"}
        response = await http.post(offer_path("abc"), content=b"{not json", headers=json_type)
        assert_problem(response, 400, "invalid_json")
        response = await http.post(offer_path("abc"), json={"type": "offer", "sdp": "v=0"})
        assert_problem(response, 422, "validation_error")
        assert {"loc", "msg", "type"} <= set(response.json()["errors"][0])
        response = await http.post(offer_path("abc"), json=offer_body("v=0" + "x" * 200_000))
        assert_problem(response, 413, "payload_too_large")
        too_many = {"candidates": [CANDIDATE] * 51}
        response = await http.post(candidates_path("abc"), json=too_many)
        assert_problem(response, 422, "validation_error")
        assert_problem(await http.delete(session_path("a'b")), 422, "invalid_session_id")


async def test_a_full_host_refuses_offers(azurite, table_prefix) -> None:
    settings = host_settings(azurite.connection_string, table_prefix, capacity=1)
    async with (
        running_media_host(settings, bridge_factory=SilentBridge) as host,
        session_store(settings) as sessions,
    ):
        first, second = await create_session(sessions), await create_session(sessions)
        async with httpx.AsyncClient(base_url=host.url, headers=AUTH, timeout=30) as http:
            async with client_peer() as (_pc, sdp):
                assert (await offer(http, first, sdp)).status_code == 200
            async with client_peer() as (_pc, sdp):
                assert_problem(await offer(http, second, sdp), 503, "host_full")
            await http.delete(session_path(first))
            async with client_peer() as (_pc, sdp):
                assert (await offer(http, second, sdp)).status_code == 200


async def test_concurrent_offers_for_one_session_accept_exactly_one(settings) -> None:
    async with (
        running_media_host(settings, bridge_factory=SilentBridge) as host,
        session_store(settings) as sessions,
    ):
        session_id = await create_session(sessions)
        async with (
            httpx.AsyncClient(base_url=host.url, headers=AUTH, timeout=30) as http,
            client_peer() as (_a, sdp_a),
            client_peer() as (_b, sdp_b),
        ):
            responses = await asyncio.gather(
                http.post(offer_path(session_id), json=offer_body(sdp_a)),
                http.post(offer_path(session_id), json=offer_body(sdp_b)),
            )
        codes = sorted(r.status_code for r in responses)
        assert codes == [200, 409]


async def test_candidates_racing_the_offer_wait_for_it(settings) -> None:
    async with (
        running_media_host(settings, bridge_factory=SilentBridge) as host,
        session_store(settings) as sessions,
    ):
        session_id = await create_session(sessions)
        async with (
            httpx.AsyncClient(base_url=host.url, headers=AUTH, timeout=30) as http,
            client_peer() as (_pc, sdp),
        ):

            async def late_candidates() -> httpx.Response:
                await asyncio.sleep(0.005)  # the offer is being answered now
                return await candidates(http, session_id, CANDIDATE)

            answer, trickled = await asyncio.gather(offer(http, session_id, sdp), late_candidates())
        assert answer.status_code == 200
        assert trickled.status_code == 204, trickled.text


async def test_hang_up_during_the_offer_wins(settings) -> None:
    async with (
        running_media_host(settings, bridge_factory=SilentBridge) as host,
        session_store(settings) as sessions,
    ):
        session_id = await create_session(sessions)
        async with (
            httpx.AsyncClient(base_url=host.url, headers=AUTH, timeout=30) as http,
            client_peer() as (_pc, sdp),
        ):

            async def hang_up_soon() -> httpx.Response:
                await asyncio.sleep(0.005)
                return await http.delete(session_path(session_id))

            answer, deleted = await asyncio.gather(offer(http, session_id, sdp), hang_up_soon())
            assert deleted.status_code == 204
            assert_problem(answer, 409, "session_ended")
            assert (await http.get(HEALTH_PATH)).json()["active_sessions"] == 0


async def test_http_edge_is_the_shared_one(settings) -> None:
    """Unknown routes, wrong content types, non-UTF-8 bodies and out-of-range candidates get the
    same problem+json answers as on the control plane, before reaching the call."""
    async with (
        running_media_host(settings, bridge_factory=SilentBridge) as host,
        httpx.AsyncClient(base_url=host.url, headers=AUTH) as http,
    ):
        assert_problem(await http.get(API_PREFIX + "/nowhere"), 404, "not_found")
        assert_problem(await http.get("/nowhere"), 404, "not_found")
        response = await http.post(HEALTH_PATH)
        assert_problem(response, 405, "method_not_allowed")
        assert response.headers["allow"] == "GET"
        response = await http.post(
            offer_path("abc"), content=b"type=offer", headers={"content-type": "text/plain"}
        )
        assert_problem(response, 415, "unsupported_media_type")
        json_type = {"content-type": "application/json"}
        response = await http.post(
            offer_path("abc"), content=b'{"sdp": "\xff\xfe"}', headers=json_type
        )
        assert_problem(response, 400, "invalid_json")
        response = await http.post(
            offer_path("abc"), content=b'{"n": ' + b"9" * 5000 + b"}", headers=json_type
        )
        assert_problem(response, 400, "invalid_json")
        for line in (
            "candidate:1 1 udp 2122260223 192.0.2.10 99999999 typ host",
            "candidate:1 1 udp 2122260223 192.0.2.10 5000 typ host raddr 0.0.0.0 rport 70000",
            "candidate:garbage",
        ):
            response = await candidates(http, "abc", {"candidate": line, "sdpMid": "0"})
            assert_problem(response, 422, "invalid_candidate")
            assert "192.0.2.10" not in response.text  # addresses are never echoed


async def test_sdp_errors_name_no_exception_class(settings) -> None:
    async with (
        running_media_host(settings, bridge_factory=SilentBridge) as host,
        session_store(settings) as sessions,
        httpx.AsyncClient(base_url=host.url, headers=AUTH, timeout=30) as http,
    ):
        session_id = await create_session(sessions)
        # aiortc's SDP parser fails an `assert` on a malformed media line.
        response = await offer(http, session_id, "v=0\r\nm=audio\r\n")
        assert_problem(response, 422, "invalid_sdp")
        assert "Error" not in response.json()["detail"], response.json()
