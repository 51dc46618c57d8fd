"""``/ws/{session_id}/events`` under a real uvicorn: same event JSON, resumable, no token in URL."""

from __future__ import annotations

import json
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from shared.events import NewEvent, TranscriptChunk
from shared.storage import EventLog, TableStore
from tests.control_plane.conftest import bearer, new_session


def said(text: str, item: str) -> NewEvent:
    return NewEvent(data=TranscriptChunk(role="patient", item_id=item, text=text, final=True))


def ws_url(live_url: str, path: str) -> str:
    return "ws" + live_url.removeprefix("http") + path


async def receive_until_closed(socket: ClientConnection) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    try:
        while True:
            received.append(json.loads(await socket.recv()))
    except ConnectionClosed:
        return received


async def test_ticketed_socket_resumes_after_a_seq_and_closes_at_the_session_end(
    live_url: str, store: TableStore
) -> None:
    async with httpx.AsyncClient(base_url=live_url, timeout=10) as http:
        sid, token = await new_session(http)
        await EventLog(store).append(sid, [said("one", "i1"), said("two", "i2")])  # seqs 2, 3
        ticket = (
            await http.post(f"/api/intake/sessions/{sid}/stream-ticket", headers=bearer(token))
        ).json()
        path = ticket["websocket_path"] + "&after=2"
        async with connect(ws_url(live_url, path)) as socket:
            first = json.loads(await socket.recv())
            assert first["seq"] == 3 and first["type"] == "transcript_chunk"
            assert first["data"]["text"] == "two"
            await http.delete(f"/api/intake/sessions/{sid}", headers=bearer(token))
            rest = await receive_until_closed(socket)
        assert [(e["seq"], e["type"], e["data"]["status"]) for e in rest] == [
            (4, "status_update", "ended")
        ]
        assert socket.close_code == 1000


async def test_first_message_authenticates_without_anything_in_the_url(live_url: str) -> None:
    async with httpx.AsyncClient(base_url=live_url, timeout=10) as http:
        sid, token = await new_session(http)
        await http.delete(f"/api/intake/sessions/{sid}", headers=bearer(token))
    async with connect(ws_url(live_url, f"/ws/{sid}/events")) as socket:
        await socket.send(json.dumps({"type": "auth", "token": token, "after": 1}))
        events = await receive_until_closed(socket)
    assert [e["seq"] for e in events] == [2]  # resumed after seq 1; the session is over
    assert socket.close_code == 1000


async def test_refusals_close_with_4000_plus_the_http_status_and_the_problem_code(
    live_url: str,
) -> None:
    async with httpx.AsyncClient(base_url=live_url, timeout=10) as http:
        sid, token = await new_session(http)
        other_sid, _ = await new_session(http)
    cases: list[tuple[str, str | None, int, str]] = [
        (
            f"/ws/{sid}/events",
            json.dumps({"type": "auth", "token": "x" * 43}),
            4401,
            "invalid_token",
        ),
        (
            f"/ws/{other_sid}/events",
            json.dumps({"type": "auth", "token": token}),
            4404,
            "session_not_found",
        ),
        (f"/ws/{sid}/events", "hello", 4401, "missing_token"),
        (f"/ws/{sid}/events", "x" * 2000, 4422, "validation_error"),
        (f"/ws/{sid}/events?ticket=1767261660.{'A' * 43}", None, 4401, "invalid_ticket"),
    ]
    for path, first_message, code, reason in cases:
        async with connect(ws_url(live_url, path)) as socket:
            if first_message is not None:
                await socket.send(first_message)
            assert await receive_until_closed(socket) == []
        assert (socket.close_code, socket.close_reason) == (code, reason), path
