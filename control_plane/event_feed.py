"""Delivering the event log to HTTP clients: long-poll pages and Server-Sent Events.

Both poll Table Storage with one ``RowKey gt <cursor>`` query per tick per client. The tick
adapts: right after events arrive it is ``poll_min_interval_s`` (25 ms) and it backs off ×1.5 per
empty tick to ``poll_max_interval_s`` (100 ms), so an active session sees events within a few tens
of ms while an idle client costs ~10 cheap queries a second. The session's status is re-read only
every ``status_check_interval_s`` (or when a terminal ``status_update`` event passes by), to know
when to stop. A media host moves the row to its terminal status *before* its last events (the
summary, the terminal ``status_update``) are committed, so a row that turned terminal less than
``end_grace_s`` ago means "over" only once the terminal event was read: until then an empty page
would tell the client that everything was delivered when it was not.

Once an SSE response has started its status cannot change, so a storage outage mid-stream does not
raise (that would abort the connection without a word, after the server tried to send a 500 too
late): the stream sends a last comment saying why and ends; ``EventSource`` reconnects after the
``retry:`` delay with ``Last-Event-ID`` and nothing is lost or repeated.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio

from control_plane.state import AppState
from shared.events import Event, SessionStatus, StatusUpdate
from shared.metrics import event_delivery_lag
from shared.problems import StorageError
from shared.storage import SessionRecord

log = logging.getLogger(__name__)

SSE_RETRY_MS = 2_000
SSE_STORAGE_DOWN = b": storage unavailable; reconnect with Last-Event-ID\n\n"


class AdaptivePoll:
    """Sleep interval that resets on activity and backs off while idle."""

    def __init__(self, min_s: float, max_s: float, factor: float = 1.5) -> None:
        self.min_s = min_s
        self.max_s = max(min_s, max_s)
        self.factor = factor
        self.interval = min_s

    def hit(self) -> None:
        self.interval = self.min_s

    def miss(self) -> float:
        current = self.interval
        self.interval = min(self.max_s, self.interval * self.factor)
        return current


@dataclass
class FeedResult:
    events: list[Event]
    status: SessionStatus


def sse_frame(event: Event) -> bytes:
    """One SSE message: ``id`` = seq (what the browser resends as Last-Event-ID).

    No ``event:`` line, so ``EventSource`` delivers every event as a ``message`` and the
    contract's own ``type`` (in the JSON) never collides with EventSource's ``error`` event,
    which it fires for connection failures.
    """
    data = json.dumps(event.wire(), separators=(",", ":"), ensure_ascii=False)
    return f"id: {event.seq}\ndata: {data}\n\n".encode()


def _terminal_status(event: Event) -> SessionStatus | None:
    """The terminal status an event announces, if it is such a ``status_update``."""
    if isinstance(event.data, StatusUpdate) and event.data.status.is_terminal:
        return event.data.status
    return None


class EventFeed:
    """One client's cursor over one session's events."""

    def __init__(
        self,
        state: AppState,
        session_id: str,
        *,
        after: int,
        status: SessionStatus,
        status_since: datetime | None = None,
    ):
        self._state = state
        self._settings = state.settings
        self.session_id = session_id
        self.cursor = max(0, after)
        self.status = status
        self._poll = AdaptivePoll(
            self._settings.poll_min_interval_s, self._settings.poll_max_interval_s
        )
        self._next_status_check = time.monotonic() + self._settings.status_check_interval_s
        self._log_ended = False  # a terminal status_update was read from the log
        self._end_checked = False
        # when the row turned terminal (monotonic), if recently enough for its last events to be
        # still on their way; None: long ago (or not yet)
        self._row_ended_at: float | None = None
        if status.is_terminal and status_since is not None:
            age = (datetime.now(UTC) - status_since).total_seconds()
            if age < self._settings.end_grace_s:
                self._row_ended_at = time.monotonic() - max(0.0, age)
        self._caught_up = False  # after the first read, new events are live (the lag is real)

    @classmethod
    def of(cls, state: AppState, record: SessionRecord, *, after: int) -> EventFeed:
        """A feed over `record`'s session from `after`, knowing when its status last changed."""
        return cls(
            state,
            record.session_id,
            after=after,
            status=record.status,
            status_since=record.updated_at,
        )

    async def _cursor_is_the_end(self) -> bool:
        """Is the last event the client already has (seq == cursor) the terminal one?"""
        if self.cursor <= 0:
            return False
        last = await self._state.events.read(self.session_id, after=self.cursor - 1, limit=1)
        return bool(last) and _terminal_status(last[0]) is not None

    async def read_page(self) -> list[Event]:
        if self._row_ended_at is not None and not self._log_ended and not self._end_checked:
            self._end_checked = True  # once: a client resuming after the end already has it
            self._log_ended = await self._cursor_is_the_end()
        events = await self._state.events.read(
            self.session_id, after=self.cursor, limit=self._settings.events_page_size
        )
        if events:
            self.cursor = events[-1].seq
            self._poll.hit()
            now = datetime.now(UTC)
            for event in events:
                ended = _terminal_status(event)
                if ended is not None:
                    self.status, self._log_ended = ended, True
                if self._caught_up:
                    lag_ms = max(0.0, (now - event.ts).total_seconds() * 1000)
                    event_delivery_lag.record(lag_ms, {"triage.channel": "feed"})
        if len(events) < self._settings.events_page_size:
            self._caught_up = True  # a backlog read on resume is history, not delivery lag
        return events

    async def refresh_status_if_due(self) -> None:
        now = time.monotonic()
        if now < self._next_status_check:
            return
        self._next_status_check = now + self._settings.status_check_interval_s
        record = await self._state.sessions.get(self.session_id)
        record = await self._state.expire_if_due(record)
        if record.status.is_terminal and not self.status.is_terminal:
            self._row_ended_at = now
        self.status = record.status

    @property
    def over(self) -> bool:
        """The session ended and the log holds everything up to its end."""
        if not self.status.is_terminal:
            return False
        if self._log_ended or self._row_ended_at is None:
            return True
        return time.monotonic() - self._row_ended_at >= self._settings.end_grace_s

    async def long_poll(self, wait_s: float) -> FeedResult:
        """Return as soon as ≥ 1 event exists after the cursor, or after ``wait_s`` seconds, or at
        once when the session is over and nothing is left to read."""
        deadline = time.monotonic() + wait_s
        while True:
            events = await self.read_page()
            if events or self.over:
                return FeedResult(events, self.status)
            remaining = deadline - time.monotonic()
            if remaining <= 0 and not self.status.is_terminal:
                return FeedResult([], self.status)
            # (an ended row whose last events are still on their way holds the poll, at most
            # end_grace_s, rather than answer "over" too early)
            await self.refresh_status_if_due()
            if self.over:
                continue  # one more read drains events written just before the end
            await anyio.sleep(
                min(self._poll.miss(), remaining) if remaining > 0 else self._poll.miss()
            )

    async def until_end(self) -> AsyncIterator[Event]:
        """Every event after the cursor, as it is appended, until the session reached a terminal
        status and every event up to it was yielded (for the WebSocket, which has no time cap).
        Raises :class:`StorageError` when storage fails; the client resumes from its cursor."""
        while True:
            events = await self.read_page()
            for event in events:
                yield event
            if events:
                continue
            if self.over:
                return
            await self.refresh_status_if_due()
            if self.over:
                continue  # one more read drains events written just before the end
            await anyio.sleep(self._poll.miss())

    async def sse(self) -> AsyncIterator[bytes]:
        """SSE byte stream: events, heartbeat comments while idle; ends after the session ended
        and every event was sent, after ``sse_max_stream_s``, or when storage fails (the
        browser then resumes)."""
        try:
            async for frame in self._sse_frames():
                yield frame
        except StorageError:
            log.warning("SSE stream ended early: storage unavailable")
            yield SSE_STORAGE_DOWN

    async def _sse_frames(self) -> AsyncIterator[bytes]:
        settings = self._settings
        started = last_write = time.monotonic()
        yield f"retry: {SSE_RETRY_MS}\n: stream of session events\n\n".encode()
        while True:
            events = await self.read_page()
            if events:
                for event in events:
                    yield sse_frame(event)
                last_write = time.monotonic()
                continue
            if self.over:
                return
            now = time.monotonic()
            if now - started >= settings.sse_max_stream_s:
                return
            await self.refresh_status_if_due()
            if self.over:
                continue
            if now - last_write >= settings.sse_heartbeat_s:
                yield b": keep-alive\n\n"
                last_write = now
            await anyio.sleep(self._poll.miss())
