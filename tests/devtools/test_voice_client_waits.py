"""VoiceClient.wait_for says why it gave up: a wait cannot outlive the session's event feed.

A failed e2e wait used to read only "no matching event arrived" after its full timeout (90 s in
the rolling-restart test), whether the call had ended (e.g. ``failed``), the event poller had
died, or the agent had simply not spoken yet.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from devtools.voice_client import VoiceClient, is_status
from shared.events import Event, SessionStatus, StatusUpdate


def _status(seq: int, status: SessionStatus, detail: str = "") -> Event:
    return Event(
        seq=seq,
        session_id="s",
        type="status_update",
        ts=datetime.now(UTC),
        data=StatusUpdate(status=status, detail=detail),
    )


async def test_a_wait_ends_at_once_when_the_session_is_over() -> None:
    client = VoiceClient("http://127.0.0.1:9")
    try:
        client.events = [
            _status(1, SessionStatus.LISTENING),
            _status(2, SessionStatus.FAILED, "the media connection failed (ICE/DTLS)"),
        ]

        async def feed_over() -> None:
            return None

        client._poller = asyncio.create_task(feed_over())
        await client._poller
        started = time.monotonic()
        with pytest.raises(TimeoutError, match=r"session is over.*failed.*ICE/DTLS"):
            await client.wait_for(lambda e: e.seq > 2 and is_status(SessionStatus.LISTENING)(e), 90)
        assert time.monotonic() - started < 1
        # what did arrive still matches
        assert (await client.wait_for(is_status(SessionStatus.FAILED), 90)).seq == 2
    finally:
        await client.close()


async def test_a_dead_poller_is_reported_not_waited_out() -> None:
    client = VoiceClient("http://127.0.0.1:9")
    try:

        async def broken_feed() -> None:
            raise ValueError("unparseable page")

        client._poller = asyncio.create_task(broken_feed())
        await asyncio.gather(client._poller, return_exceptions=True)
        with pytest.raises(RuntimeError, match="event poller failed") as caught:
            await client.wait_for(is_status(SessionStatus.LISTENING), 90)
        assert isinstance(caught.value.__cause__, ValueError)
    finally:
        await client.close()


async def test_a_timeout_lists_the_last_events() -> None:
    client = VoiceClient("http://127.0.0.1:9")
    try:
        client.events = [_status(7, SessionStatus.AGENT_SPEAKING)]
        with pytest.raises(TimeoutError, match=r"no matching event arrived; .*#7 status agent_"):
            await client.wait_for(is_status(SessionStatus.LISTENING), 0.05)
    finally:
        await client.close()
