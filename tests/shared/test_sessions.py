"""SessionStore on the real Azurite: transitions, ETag races, summary chunking, expiry."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from shared.config import StorageSettings
from shared.events import SessionStatus
from shared.problems import Conflict, NotFound, PayloadTooLarge
from shared.storage import SessionStore, TableStore
from shared.tokens import hash_token


async def make(sessions: SessionStore, session_id: str = "s1", ttl_s: int = 600):
    return await sessions.create(
        session_id=session_id,
        language="en",
        token_hash=hash_token(f"tok-{session_id}"),
        expires_at=datetime.now(UTC) + timedelta(seconds=ttl_s),
        user_id="u1",
    )


async def test_create_get_and_duplicate(store: TableStore) -> None:
    sessions = SessionStore(store)
    created = await make(sessions)
    got = await sessions.get("s1")
    assert got.status is SessionStatus.CREATED and got.language == "en" and got.user_id == "u1"
    assert got.token_hash == created.token_hash and got.summary is None
    with pytest.raises(Conflict):
        await make(sessions)
    with pytest.raises(NotFound):
        await sessions.get("nope")
    assert await sessions.session_for_token(hash_token("tok-s1")) == "s1"
    assert await sessions.session_for_token(hash_token("other")) is None
    assert await sessions.session_for_token("short") is None


async def test_transitions_follow_the_table(store: TableStore) -> None:
    sessions = SessionStore(store)
    await make(sessions)
    rec = await sessions.transition("s1", SessionStatus.CONNECTING)
    same = await sessions.transition("s1", SessionStatus.CONNECTING)
    assert same.etag == rec.etag  # no-op: nothing written
    await sessions.transition("s1", SessionStatus.LISTENING)
    done = await sessions.transition("s1", SessionStatus.ENDED, detail="client hung up")
    assert done.status is SessionStatus.ENDED and done.status_detail == "client hung up"
    with pytest.raises(Conflict) as info:
        await sessions.transition("s1", SessionStatus.CONNECTED)
    assert info.value.code == "illegal_transition"
    with pytest.raises(Conflict):
        await sessions.transition("s1", SessionStatus.CREATED)


async def test_concurrent_writers_retry_on_etag_mismatch(
    store: TableStore, storage_settings: StorageSettings
) -> None:
    sessions = SessionStore(store)
    await make(sessions)
    async with TableStore.from_settings(storage_settings) as other:
        rivals = SessionStore(other)
        await asyncio.gather(
            sessions.assign_host("s1", host_id="h1", host_url="http://h1"),
            rivals.mark_offer_accepted("s1"),
            sessions.transition("s1", SessionStatus.CONNECTING),
            rivals.set_summary("s1", {"k": 1}),
        )
    final = await sessions.get("s1")  # every change survived: none was lost to a race
    assert final.media_host_id == "h1" and final.offer_accepted
    assert final.status is SessionStatus.CONNECTING and final.summary == {"k": 1}


async def test_large_summary_is_chunked_and_oversized_refused(store: TableStore) -> None:
    sessions = SessionStore(store)
    await make(sessions)
    summary = {"notes": "é" * 100_000, "items": list(range(1000))}
    await sessions.set_summary("s1", summary)
    assert (await sessions.get("s1")).summary == summary
    with pytest.raises(PayloadTooLarge) as info:
        await sessions.set_summary("s1", {"notes": "x" * 400_000})
    assert info.value.code == "summary_too_large"
    smaller = {"done": True}
    await sessions.set_summary("s1", smaller)  # replacing with fewer chunks
    assert (await sessions.get("s1")).summary == smaller


async def test_expire_if_due(store: TableStore) -> None:
    sessions = SessionStore(store)
    await make(sessions, "fresh")
    await make(sessions, "old", ttl_s=-1)
    assert (await sessions.expire_if_due("fresh")).status is SessionStatus.CREATED
    expired = await sessions.expire_if_due("old")
    assert expired.status is SessionStatus.EXPIRED and expired.is_expired(datetime.now(UTC))
    later = datetime.now(UTC) + timedelta(hours=1)
    assert (await sessions.expire_if_due("fresh", now=later)).status is SessionStatus.EXPIRED


async def test_host_assignment_is_indexed_and_racing_placements_keep_the_first(
    store: TableStore,
) -> None:
    sessions = SessionStore(store)
    await make(sessions, "s-race")
    first, second = await asyncio.gather(
        sessions.assign_host("s-race", host_id="h1", host_url="http://h1", replacing=None),
        sessions.assign_host("s-race", host_id="h2", host_url="http://h2", replacing=None),
    )
    # Both saw "no host"; exactly one placement stuck and both callers learn which.
    assert first.media_host_id == second.media_host_id in {"h1", "h2"}
    winner = first.media_host_id
    assert (await sessions.get("s-race")).media_host_url == f"http://{winner}"
    # Moving on from a known host (after it died) is unconditional on anything else.
    moved = await sessions.assign_host(
        "s-race", host_id="h3", host_url="http://h3", replacing=winner
    )
    assert moved.media_host_id == "h3"
    assert await sessions.sessions_on_host("h3") == ["s-race"]
    await sessions.forget_host_session("h3", "s-race")
    await sessions.forget_host_session("h3", "s-race")  # idempotent
    assert await sessions.sessions_on_host("h3") == []
