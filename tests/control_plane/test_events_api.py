"""Long-poll and SSE delivery of the event log; summary readiness."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from shared.events import NewEvent, SessionStatus, StatusUpdate, TranscriptChunk
from shared.storage import EventLog, SessionStore, TableStore
from tests.control_plane.conftest import assert_problem, bearer, new_session
from tests.support.fake_media_host import FakeMediaHost


def said(text: str, item: str = "i1") -> NewEvent:
    return NewEvent(data=TranscriptChunk(role="patient", item_id=item, text=text, final=True))


async def sse_messages(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """Parse an SSE body into messages ({'comment': …} or {'id','event','data'})."""
    fields: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if line == "":
            if fields:
                yield fields
            fields = {}
        elif line.startswith(":"):
            yield {"comment": line[1:].strip()}
        else:
            name, _, value = line.partition(":")
            fields[name] = value.lstrip(" ")


async def test_long_poll_returns_existing_events_at_once(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, store: TableStore
) -> None:
    sid, token = await new_session(client)
    await EventLog(store).append(sid, [said("hello"), said("again", "i2")])
    url = f"/api/intake/sessions/{sid}/events"
    page = (await client.get(url, params={"after": 0, "wait": 10}, headers=bearer(token))).json()
    assert [e["seq"] for e in page["events"]] == [1, 2, 3]
    assert page["next_after"] == 3 and page["status"] == "created"
    first = page["events"][1]
    assert first == {
        "v": 1,
        "seq": 2,
        "session_id": sid,
        "type": "transcript_chunk",
        "ts": first["ts"],
        "data": {"role": "patient", "item_id": "i1", "text": "hello", "final": True},
    }
    resumed = (await client.get(url, params={"after": 2}, headers=bearer(token))).json()
    assert [e["seq"] for e in resumed["events"]] == [3]
    empty = await client.get(url, params={"after": 3, "wait": 0.3}, headers=bearer(token))
    assert empty.json() == {"events": [], "next_after": 3, "status": "created"}


async def test_long_poll_wakes_as_soon_as_an_event_is_appended(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, store: TableStore
) -> None:
    sid, token = await new_session(client)
    url = f"/api/intake/sessions/{sid}/events"

    async def append_later() -> float:
        await asyncio.sleep(0.5)
        await EventLog(store).append(sid, [said("late")])
        return time.monotonic()

    writer = asyncio.create_task(append_later())
    page = await client.get(url, params={"after": 1, "wait": 10}, headers=bearer(token))
    delivered = time.monotonic()
    appended = await writer
    assert [e["data"]["text"] for e in page.json()["events"]] == ["late"]
    assert delivered - appended < 0.5  # not the full 10 s wait


async def test_long_poll_parameter_errors_and_ended_sessions(
    client: httpx.AsyncClient, registered_host: FakeMediaHost
) -> None:
    sid, token = await new_session(client)
    url = f"/api/intake/sessions/{sid}/events"
    for params in ({"wait": 26}, {"after": -1}, {"after": "x"}, {"wait": "soon"}):
        assert_problem(
            await client.get(url, params=params, headers=bearer(token)), 422, "validation_error"
        )
    await client.delete(f"/api/intake/sessions/{sid}", headers=bearer(token))
    started = time.monotonic()
    page = await client.get(url, params={"after": 2, "wait": 20}, headers=bearer(token))
    assert time.monotonic() - started < 2  # a finished session does not hold the poll open
    assert page.json() == {"events": [], "next_after": 2, "status": "ended"}


async def test_sse_streams_events_heartbeats_and_ends_with_the_session(
    live_url: str, registered_host: FakeMediaHost, store: TableStore
) -> None:
    async with httpx.AsyncClient(base_url=live_url, timeout=10) as http:
        sid, token = await new_session(http)
        log = EventLog(store)
        seen: list[dict[str, Any]] = []
        comments: list[str] = []
        async with http.stream(
            "GET", f"/api/intake/sessions/{sid}/events/stream", headers=bearer(token)
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            async for message in sse_messages(response):
                if "comment" in message:
                    comments.append(message["comment"])
                    if message["comment"] == "keep-alive" and len(seen) == 1:
                        await log.append(sid, [said("one"), said("two", "i2")])
                    continue
                if "id" not in message:
                    continue  # the opening retry: hint
                seen.append(message)
                if len(seen) == 3:
                    await http.delete(f"/api/intake/sessions/{sid}", headers=bearer(token))
        # The stream ended on its own after the terminal status was delivered.
    assert [m["id"] for m in seen] == ["1", "2", "3", "4"]
    assert all("event" not in m for m in seen)  # every event is an EventSource `message`
    assert [json.loads(m["data"])["type"] for m in seen] == [
        "status_update",
        "transcript_chunk",
        "transcript_chunk",
        "status_update",
    ]
    assert json.loads(seen[-1]["data"])["data"]["status"] == "ended"
    assert json.loads(seen[1]["data"])["seq"] == 2
    assert "keep-alive" in comments


async def test_sse_resumes_from_last_event_id_and_after(
    live_url: str, registered_host: FakeMediaHost, store: TableStore
) -> None:
    async with httpx.AsyncClient(base_url=live_url, timeout=10) as http:
        sid, token = await new_session(http)
        await EventLog(store).append(sid, [said(f"t{i}", f"i{i}") for i in range(5)])  # seqs 2..6
        await SessionStore(store).transition(sid, SessionStatus.FAILED)
        await EventLog(store).append(
            sid, [NewEvent(data=StatusUpdate(status=SessionStatus.FAILED))]
        )
        url = f"/api/intake/sessions/{sid}/events/stream"

        async def ids(headers: dict[str, str], params: dict[str, int] | None = None) -> list[str]:
            async with http.stream("GET", url, headers=headers, params=params) as response:
                return [m["id"] async for m in sse_messages(response) if "id" in m]

        assert await ids({**bearer(token), "Last-Event-ID": "3"}) == ["4", "5", "6", "7"]
        assert await ids(bearer(token), {"after": 5}) == ["6", "7"]
        # Last-Event-ID (the browser's reconnect state) wins over ?after=.
        assert await ids({**bearer(token), "Last-Event-ID": "6"}, {"after": 1}) == ["7"]
        done = await http.get(url, headers={**bearer(token), "Last-Event-ID": "7"})
        assert done.status_code == 204  # over and fully delivered: EventSource stops reconnecting
        bad = await http.get(url, headers={**bearer(token), "Last-Event-ID": "x"})
        assert_problem(bad, 422, "invalid_last_event_id")


async def test_summary_before_and_after_it_is_written(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, store: TableStore
) -> None:
    sid, token = await new_session(client)
    url = f"/api/intake/sessions/{sid}/summary"
    assert_problem(await client.get(url, headers=bearer(token)), 409, "summary_not_ready")
    summary = {"chief_complaint": "headache", "duration_days": 2}
    await SessionStore(store).set_summary(sid, summary)
    response = await client.get(url, headers=bearer(token))
    assert response.json() == {"session_id": sid, "summary": summary}
    view = (await client.get(f"/api/intake/sessions/{sid}", headers=bearer(token))).json()
    assert view["summary_ready"] is True


async def test_a_long_poll_waits_for_the_events_a_host_commits_after_ending_the_row(
    client: httpx.AsyncClient, registered_host: FakeMediaHost, store: TableStore
) -> None:
    """A media host moves the session row to a terminal status and commits its last events (the
    summary, the terminal ``status_update``) just after. A client polling in between must get
    them, not "over, nothing left" (it would stop and never see the summary)."""
    sid, token = await new_session(client)
    url = f"/api/intake/sessions/{sid}/events"
    await SessionStore(store).transition(sid, SessionStatus.CONNECTING)
    await SessionStore(store).transition(sid, SessionStatus.CONNECTED)

    async def host_ends_the_call() -> None:
        await SessionStore(store).transition(sid, SessionStatus.ENDED)
        await asyncio.sleep(0.6)  # longer than the feed's status check (0.2 s here)
        await EventLog(store).append(
            sid, [said("goodbye"), NewEvent(data=StatusUpdate(status=SessionStatus.ENDED))]
        )

    host = asyncio.create_task(host_ends_the_call())
    delivered: list[dict[str, Any]] = []
    after = 1
    while True:
        page = (
            await client.get(url, params={"after": after, "wait": 5}, headers=bearer(token))
        ).json()
        delivered += page["events"]
        after = page["next_after"]
        if not page["events"] and page["status"] in ("ended", "completed", "failed", "expired"):
            break
    await host
    assert [e["type"] for e in delivered] == ["transcript_chunk", "status_update"]
