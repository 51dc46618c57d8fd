"""Offer/candidates relay to a real (fake) media host, including its failure modes."""

from __future__ import annotations

import json

import httpx
import pytest

from shared.signaling import MAX_SDP_BYTES
from shared.storage import EventLog, SessionStore, TableStore
from tests.control_plane.conftest import HOST_KEY, OFFER_SDP, assert_problem, bearer, new_session
from tests.support.fake_media_host import FakeMediaHost


def offer_body(sdp: str = OFFER_SDP) -> dict[str, str]:
    return {"type": "offer", "sdp": sdp}


async def test_offer_is_relayed_and_answered(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, store: TableStore
) -> None:
    sid, token = await new_session(client, "es")
    url = f"/api/intake/sessions/{sid}"
    response = await client.post(url + "/offer", json=offer_body(), headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "answer" and response.json()["sdp"].startswith("v=0")
    relayed = registered_host.offers[sid]
    assert relayed.sdp == OFFER_SDP and relayed.language == "es"
    record = await SessionStore(store).get(sid)
    assert relayed.expires_at == record.expires_at.isoformat()
    assert record.offer_accepted and record.status == "connecting"
    statuses = [e.wire()["data"]["status"] for e in await EventLog(store).read(sid)]
    assert statuses == ["created", "connecting"]
    # The relay authenticates with the shared key; the patient's token never reaches the host.
    assert all(token not in json.dumps(call.body) for call in registered_host.calls)
    again = await client.post(url + "/offer", json=offer_body(), headers=bearer(token))
    assert_problem(again, 409, "offer_already_accepted")


async def test_candidates_are_relayed(
    client: httpx.AsyncClient, registered_host: FakeMediaHost
) -> None:
    sid, token = await new_session(client)
    url = f"/api/intake/sessions/{sid}/candidates"
    cands = {
        "candidates": [
            {
                "candidate": "candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host",
                "sdpMid": "0",
                "sdpMLineIndex": 0,
            }
        ]
    }
    early = await client.post(url, json=cands, headers=bearer(token))
    assert_problem(early, 409, "no_offer_yet")
    await client.post(f"/api/intake/sessions/{sid}/offer", json=offer_body(), headers=bearer(token))
    response = await client.post(url, json=cands, headers=bearer(token))
    assert response.status_code == 204
    end = await client.post(url, json={"candidates": [{"candidate": ""}]}, headers=bearer(token))
    assert end.status_code == 204
    assert [c["candidate"][:11] for c in registered_host.candidates[sid]] == ["candidate:1", ""]


async def test_signalling_input_errors(
    client: httpx.AsyncClient, registered_host: FakeMediaHost
) -> None:
    sid, token = await new_session(client)
    url = f"/api/intake/sessions/{sid}"
    auth = bearer(token)
    json_header = {**auth, "content-type": "application/json"}
    assert_problem(
        await client.post(url + "/offer", content=b"{nope", headers=json_header),
        400,
        "invalid_json",
    )
    body = assert_problem(
        await client.post(url + "/offer", json={"type": "answer", "sdp": OFFER_SDP}, headers=auth),
        422,
        "validation_error",
    )
    assert body["errors"][0]["loc"] == ["body", "type"]
    assert_problem(
        await client.post(url + "/offer", json={"type": "offer", "sdp": 5}, headers=auth),
        422,
        "validation_error",
    )
    assert_problem(
        await client.post(url + "/offer", json=["offer"], headers=auth), 422, "validation_error"
    )
    # SDP just over 64 KiB: the body passes the raw cap, the SDP check answers 413.
    big_sdp = "v=0\r\n" + "a=x\r\n" * (MAX_SDP_BYTES // 5)
    assert_problem(
        await client.post(url + "/offer", json=offer_body(big_sdp), headers=auth),
        413,
        "sdp_too_large",
    )
    # A body far over the cap is refused from Content-Length alone …
    huge = json.dumps(offer_body("v=0" + "a" * 300_000)).encode()
    assert_problem(
        await client.post(url + "/offer", content=huge, headers=json_header),
        413,
        "payload_too_large",
    )

    # … and from the bytes actually received when no Content-Length is sent (chunked).
    async def chunked() -> object:
        for _ in range(40):
            yield b"a" * 8192

    assert_problem(
        await client.post(url + "/offer", content=chunked(), headers=json_header),
        413,
        "payload_too_large",
    )
    too_many = {"candidates": [{"candidate": f"candidate:{i}"} for i in range(51)]}
    body = assert_problem(
        await client.post(url + "/candidates", json=too_many, headers=auth), 422, "validation_error"
    )
    assert body["errors"][0]["loc"] == ["body", "candidates"]
    assert_problem(
        await client.post(
            url + "/candidates", json={"candidates": [{"candidate": 7}]}, headers=auth
        ),
        422,
        "invalid_candidate",  # the field's own code, whatever is wrong with it
    )
    assert registered_host.offers == {}  # nothing invalid was relayed


@pytest.mark.parametrize(
    ("mode", "status", "code"),
    [
        ("down", 502, "media_host_unavailable"),
        ("slow", 504, "media_host_timeout"),
        ("error", 502, "media_host_unavailable"),
        ("garbage", 502, "media_host_error"),
        ("invalid_sdp", 422, "invalid_sdp"),
        ("host_full", 503, "media_host_full"),
        ("bad_key", 502, "media_host_auth_failed"),
        ("session_lost", 409, "media_session_lost"),
        ("draining", 503, "media_host_draining"),
    ],
)
async def test_media_host_failures_become_clear_problems(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, mode: str, status: int, code: str
) -> None:
    sid, token = await new_session(client)
    host = registered_host
    if mode == "down":
        host.go_down()
    elif mode == "slow":
        host.mode, host.delay_s = "slow", 2.0
    elif mode in ("error", "garbage"):
        host.mode = mode
    elif mode == "invalid_sdp":
        host.mode, host.problem_status, host.problem_code = "problem", 422, "invalid_sdp"
    elif mode == "host_full":
        host.mode, host.problem_status, host.problem_code = "problem", 503, "host_full"
    elif mode == "session_lost":
        host.mode, host.problem_status, host.problem_code = "problem", 404, "session_not_found"
    elif mode == "draining":
        host.mode, host.problem_status, host.problem_code = "problem", 503, "host_draining"
    elif mode == "bad_key":
        host.key = HOST_KEY + "-rotated"
    response = await client.post(
        f"/api/intake/sessions/{sid}/offer", json=offer_body(), headers=bearer(token)
    )
    assert_problem(response, status, code)
    session = (await client.get(f"/api/intake/sessions/{sid}", headers=bearer(token))).json()
    assert session["status"] == "created" and session["offer_accepted"] is False


async def test_first_offer_moves_off_a_host_that_went_stale(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, store: TableStore
) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.control_plane.conftest import register

    sid, token = await new_session(client)
    stale = datetime.now(UTC) - timedelta(minutes=5)
    await register(store, registered_host, last_heartbeat=stale)  # host 1 stopped heartbeating
    other = FakeMediaHost(key=HOST_KEY, host_id="fake-host-2").start()
    try:
        await register(store, other)
        response = await client.post(
            f"/api/intake/sessions/{sid}/offer", json=offer_body(), headers=bearer(token)
        )
        assert response.status_code == 200, response.text
        assert sid in other.offers and sid not in registered_host.offers
        record = await SessionStore(store).get(sid)
        assert record.media_host_id == "fake-host-2" and record.media_host_url == other.url
        cands = {"candidates": [{"candidate": ""}]}
        url = f"/api/intake/sessions/{sid}/candidates"
        assert (await client.post(url, json=cands, headers=bearer(token))).status_code == 204
        assert other.candidates[sid] == [{"candidate": "", "sdpMid": None, "sdpMLineIndex": None}]
    finally:
        other.stop()


async def test_offer_without_any_available_host_is_503(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, store: TableStore
) -> None:
    from tests.control_plane.conftest import register

    sid, token = await new_session(client)
    await register(store, registered_host, draining=True)
    response = await client.post(
        f"/api/intake/sessions/{sid}/offer", json=offer_body(), headers=bearer(token)
    )
    assert_problem(response, 503, "no_media_host")
    assert registered_host.offers == {}
