"""EventFeed: the adaptive poll and what an idle client costs, on the real Azurite."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest

from control_plane.event_feed import AdaptivePoll, EventFeed, sse_frame
from control_plane.relay import MediaHostRelay
from control_plane.settings import ControlPlaneSettings
from control_plane.state import AppState
from shared.events import Event, NewEvent, SessionStatus, TranscriptChunk
from shared.storage import EventLog, TableStore


class CountingLog(EventLog):
    """The real EventLog, counting the queries a feed makes."""

    reads = 0

    async def read(self, session_id: str, *, after: int = 0, limit: int = 500) -> list[Event]:
        self.reads += 1
        return await super().read(session_id, after=after, limit=limit)


def test_adaptive_poll_backs_off_and_resets() -> None:
    poll = AdaptivePoll(0.025, 0.1)
    intervals = [poll.miss() for _ in range(6)]
    assert intervals[0] == 0.025
    assert intervals == sorted(intervals) and intervals[-1] == pytest.approx(0.1)
    poll.hit()
    assert poll.miss() == 0.025


def test_sse_frame_shape() -> None:
    event = Event.from_new(
        NewEvent(data=TranscriptChunk(role="agent", item_id="a", text="hi\nthere", final=True)),
        seq=7,
        session_id="s",
    )
    frame = sse_frame(event).decode()
    lines = frame.split("\n")
    # No `event:` line: EventSource delivers it as `message`, never as its own `error` event.
    assert lines[0] == "id: 7" and lines[1].startswith("data: {") and frame.endswith("\n\n")
    assert json.loads(lines[1].removeprefix("data: "))["type"] == "transcript_chunk"
    assert frame.count("\n") == 3  # the newline in the text stays escaped inside one data line


async def test_an_idle_long_poll_costs_about_ten_queries_a_second(
    cp_settings: ControlPlaneSettings, store: TableStore
) -> None:
    log = CountingLog(store)
    relay = MediaHostRelay(cp_settings)
    state = dataclasses.replace(
        AppState.build(cp_settings, store, relay),
        settings=cp_settings.model_copy(update={"status_check_interval_s": 10}),
        events=log,
    )
    feed = EventFeed(state, "idle-session", after=0, status=SessionStatus.LISTENING)
    started = time.monotonic()
    result = await feed.long_poll(1.0)
    elapsed = time.monotonic() - started
    await relay.aclose()
    assert result.events == [] and 0.95 <= elapsed < 1.5
    # 25 ms growing ×1.5 to 100 ms: ~13 ticks in the first second, never a busy loop.
    assert 8 <= log.reads <= 16, log.reads
