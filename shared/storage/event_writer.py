"""A buffered, per-session event writer: producers emit, a background task batches into the log.

The media host emits many small events (transcript deltas, status changes). Writing each one as its
own Table Storage round trip would cap a session at a few hundred events per second and add
latency to everything behind it; the writer instead coalesces events that arrive within
``flush_interval_s`` (or up to ``max_batch``) into one entity-group transaction.

Guarantees:

* Order: events reach the log in emit order (one flush at a time, each flush one transaction).
* Durability: an event leaves the buffer only after the transaction holding it committed; a failed
  flush keeps it and the background task retries with backoff. :meth:`EventLogWriter.aclose`
  drains the buffer and raises :class:`~shared.problems.StorageError` if it cannot.
* Backpressure: once ``max_buffered`` events are waiting (storage down), :meth:`emit` flushes
  inline, so the producer sees the failure instead of memory growing without bound.
* ``on_appended`` runs after every committed flush with the stored events (the media host mirrors
  them to the browser's data channel); an exception in it is logged and never breaks the writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence

from shared.events import Event, NewEvent
from shared.metrics import count_storage_retry
from shared.problems import StorageError
from shared.storage.event_log import MAX_BATCH_OPS, EventLog, validate_session_key

log = logging.getLogger(__name__)

OnAppended = Callable[[list[Event]], Awaitable[None] | None]

_MAX_BACKOFF_S = 2.0
_CLOSE_ATTEMPTS = 5


class EventLogWriter:
    """Buffered writer for one session's events.

    Args:
        log: the event log to append to.
        session_id: the session (PartitionKey) this writer owns.
        max_batch: events per transaction (clamped to 1…100, the entity-group limit).
        flush_interval_s: how long to wait for more events before flushing a partial batch.
        on_appended: callback (sync or async) receiving each committed batch.
        max_buffered: emit() flushes inline when this many events are waiting.
    """

    def __init__(
        self,
        log: EventLog,
        session_id: str,
        *,
        max_batch: int = 100,
        flush_interval_s: float = 0.02,
        on_appended: OnAppended | None = None,
        max_buffered: int = 10_000,
    ) -> None:
        validate_session_key(session_id)
        self._log = log
        self.session_id = session_id
        self._max_batch = max(1, min(max_batch, MAX_BATCH_OPS))
        self._flush_interval_s = max(0.0, flush_interval_s)
        self._max_buffered = max(self._max_batch, max_buffered)
        self.on_appended = on_appended
        self._buffer: list[NewEvent] = []
        self._wakeup = asyncio.Event()
        self._flush_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._last_seq = 0

    @property
    def pending(self) -> int:
        """Events emitted but not yet committed."""
        return len(self._buffer)

    @property
    def last_seq(self) -> int:
        """The highest seq this writer committed (0 before the first flush)."""
        return self._last_seq

    async def emit(self, event: NewEvent) -> None:
        """Queue one event; returns at once unless the buffer is full (then flushes inline)."""
        await self.emit_many([event])

    async def emit_many(self, events: Sequence[NewEvent]) -> None:
        """Queue several events, keeping their order."""
        if self._closing:
            raise RuntimeError("EventLogWriter is closed")
        if not events:
            return
        self._buffer.extend(events)
        self._ensure_task()
        self._wakeup.set()
        if len(self._buffer) >= self._max_buffered:
            await self.flush()

    async def flush(self) -> None:
        """Write everything buffered so far; raises StorageError if the log is unreachable."""
        async with self._flush_lock:
            while self._buffer:
                batch = self._buffer[: self._max_batch]
                try:
                    stored = await self._log.append(self.session_id, batch)
                except StorageError as exc:
                    committed = getattr(exc, "appended", None)
                    if committed:
                        del self._buffer[: len(committed)]
                        await self._deliver(committed)
                    raise
                del self._buffer[: len(stored)]
                await self._deliver(stored)

    async def aclose(self) -> None:
        """Stop the background task and flush what is left (retrying briefly). Idempotent."""
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for attempt in range(_CLOSE_ATTEMPTS):
            try:
                await self.flush()
                return
            except StorageError:
                if attempt == _CLOSE_ATTEMPTS - 1:
                    raise StorageError(
                        f"{len(self._buffer)} events could not be written before close"
                    ) from None
                await asyncio.sleep(min(_MAX_BACKOFF_S, 0.1 * 2**attempt))

    async def __aenter__(self) -> EventLogWriter:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _ensure_task(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"event-writer-{self.session_id}"
            )

    async def _run(self) -> None:
        """Flush whenever events arrive; cancellation is the normal way out (aclose)."""
        failures = 0
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            if len(self._buffer) < self._max_batch and self._flush_interval_s:
                await asyncio.sleep(self._flush_interval_s)  # let a burst coalesce
            try:
                # Shielded: a cancel (aclose) must not abandon a transaction whose outcome we
                # would not know; aclose waits for it through the flush lock instead.
                flush = asyncio.ensure_future(self.flush())
                flush.add_done_callback(_retrieve_exception)
                await asyncio.shield(flush)
                failures = 0
            except StorageError as exc:
                failures += 1
                count_storage_retry("event_writer_flush")
                log.warning(
                    "event writer for a session failed to flush (%s); retrying, %d pending",
                    exc.code,
                    len(self._buffer),
                )
                await asyncio.sleep(min(_MAX_BACKOFF_S, 0.05 * 2**failures))
                self._wakeup.set()
            except Exception:
                log.exception("event writer flush crashed; retrying")
                await asyncio.sleep(_MAX_BACKOFF_S)
                self._wakeup.set()

    async def _deliver(self, events: list[Event]) -> None:
        if events:
            self._last_seq = events[-1].seq
        if self.on_appended is None or not events:
            return
        try:
            result = self.on_appended(events)
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("on_appended callback failed; events are stored regardless")


def _retrieve_exception(task: asyncio.Future[None]) -> None:
    """Mark a shielded flush's outcome as seen (the caller may have been cancelled meanwhile)."""
    if not task.cancelled():
        task.exception()
