"""Stream tickets: EventSource-friendly authorisation of the event stream (never the token)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx

from shared.storage import SessionStore, TableStore
from shared.stream_tickets import issue_ticket, ticket_is_valid
from shared.tokens import hash_token
from tests.control_plane.conftest import assert_problem, bearer, new_session

NOW = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
HASH = hash_token("a-session-token")


def test_a_ticket_is_bound_to_its_session_key_and_lifetime() -> None:
    ticket = issue_ticket(HASH, "s1", NOW + timedelta(seconds=60))
    ok = {"token_hash": HASH, "session_id": "s1", "now": NOW, "max_lifetime_s": 65}
    assert ticket_is_valid(ticket, **ok)
    assert not ticket_is_valid(ticket, **{**ok, "session_id": "s2"})
    assert not ticket_is_valid(ticket, **{**ok, "token_hash": hash_token("other")})
    assert not ticket_is_valid(ticket, **{**ok, "now": NOW + timedelta(seconds=60)})  # expired
    assert not ticket_is_valid(ticket, **{**ok, "max_lifetime_s": 30})  # lives too long
    expiry, mac = ticket.split(".")
    assert not ticket_is_valid(f"{int(expiry) + 1}.{mac}", **ok)  # extended: MAC no longer fits
    assert not ticket_is_valid(ticket + "x", **ok)
    assert not ticket_is_valid("", **ok)


async def test_event_source_reads_the_stream_with_a_ticket_and_no_header(
    client: httpx.AsyncClient,
) -> None:
    sid, token = await new_session(client)
    issued = await client.post(f"/api/intake/sessions/{sid}/stream-ticket", headers=bearer(token))
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert issued.headers["cache-control"] == "no-store"
    assert token not in json.dumps(body)  # the token never goes into a URL
    assert body["stream_url"] == f"/api/intake/sessions/{sid}/events/stream?ticket={body['ticket']}"
    assert body["websocket_path"] == f"/ws/{sid}/events?ticket={body['ticket']}"
    assert datetime.fromisoformat(body["expires_at"]) <= datetime.now(UTC) + timedelta(seconds=61)
    await client.delete(f"/api/intake/sessions/{sid}", headers=bearer(token))
    stream = await client.get(body["stream_url"])  # ended: the whole log, then the end
    assert stream.status_code == 200, stream.text
    data = [json.loads(line[6:]) for line in stream.text.splitlines() if line.startswith("data: ")]
    assert [e["data"]["status"] for e in data] == ["created", "ended"]
    again = await client.get(body["stream_url"], headers={"Last-Event-ID": "2"})
    assert again.status_code == 204  # reusable within its lifetime; EventSource stops here


async def test_tickets_are_refused_for_other_sessions_routes_and_after_expiry(
    client: httpx.AsyncClient, store: TableStore
) -> None:
    sid, token = await new_session(client)
    other, _ = await new_session(client)
    ticket = (
        await client.post(f"/api/intake/sessions/{sid}/stream-ticket", headers=bearer(token))
    ).json()["ticket"]
    stream = "/api/intake/sessions/{}/events/stream"
    wrong_session = await client.get(stream.format(other), params={"ticket": ticket})
    assert_problem(wrong_session, 401, "invalid_ticket")
    unknown = await client.get(stream.format("0" * 32), params={"ticket": ticket})
    assert_problem(unknown, 401, "invalid_ticket")  # same answer: ids cannot be probed
    token_hash = (await SessionStore(store).get(sid)).token_hash
    expired = issue_ticket(token_hash, sid, datetime.now(UTC) - timedelta(seconds=1))
    assert_problem(
        await client.get(stream.format(sid), params={"ticket": expired}), 401, "invalid_ticket"
    )
    too_long_lived = issue_ticket(token_hash, sid, datetime.now(UTC) + timedelta(hours=1))
    assert_problem(
        await client.get(stream.format(sid), params={"ticket": too_long_lived}),
        401,
        "invalid_ticket",
    )
    malformed = await client.get(stream.format(sid), params={"ticket": "not-a-ticket"})
    assert_problem(malformed, 422, "validation_error")
    # A ticket only reads the event stream: every other per-session route still wants the token.
    for method, path in (
        ("GET", f"/api/intake/sessions/{sid}"),
        ("GET", f"/api/intake/sessions/{sid}/events"),
        ("GET", f"/api/intake/sessions/{sid}/summary"),
        ("POST", f"/api/intake/sessions/{sid}/stream-ticket"),
        ("DELETE", f"/api/intake/sessions/{sid}"),
    ):
        refused = await client.request(method, path, params={"ticket": ticket})
        assert_problem(refused, 401, "missing_token")
