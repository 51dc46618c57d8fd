"""A call's EventSink: the durable event log first, then the sessions-table projection.

Every event goes to the session's :class:`~shared.storage.EventLogWriter` (ordered, batched,
insert-only); once a batch is committed the writer's ``on_appended`` callback mirrors it to the
browser's data channel and, on Azure, hands it to the session's Web PubSub forwarder
(:class:`~shared.web_pubsub.SessionEventForwarder`, which publishes in the background: the
call never waits for it). Two event kinds also change the ``sessions`` row, through a single
background projector so the bridge never waits on a storage round trip and updates stay ordered:

- ``status_update`` → :meth:`SessionStore.transition` (ETag-guarded; an illegal move, e.g. the
  control plane already ended the session, is expected and ignored);
- ``symptom_complete`` → :meth:`SessionStore.set_summary`.

Statuses that the control plane may also set (``connecting`` when it relays the answer, the
terminal ones when the session is deleted or expires) go through :meth:`CallEventSink.announce`
instead: the row is moved first with ``try_transition`` and the event is logged only if *this*
call changed it, so racing writers never log the same status twice.

Once a terminal status was emitted, further status updates are dropped (the session is over; a
late ``listening`` from a closing bridge must not reach the log), and after :meth:`aclose` every
event is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from shared import metrics
from shared.events import (
    Event,
    NewEvent,
    RedFlag,
    SessionStatus,
    StatusUpdate,
    SymptomComplete,
)
from shared.problems import Conflict, NotFound, TriageError
from shared.storage import EventLogWriter, SessionStore
from shared.web_pubsub import SessionEventForwarder

logger = logging.getLogger(__name__)

_Projection = tuple[str, Any]


class CallEventSink:
    """The :class:`~media_host.audio_io.EventSink` of one call.

    Args:
        session_id: The session the events belong to.
        writer: The session's event-log writer (owned by this sink from now on).
        sessions: The sessions table, for the projection.
        forwarder: Publishes committed events to the session's Web PubSub group (Azure).
    """

    def __init__(
        self,
        session_id: str,
        writer: EventLogWriter,
        sessions: SessionStore,
        *,
        forwarder: SessionEventForwarder | None = None,
    ) -> None:
        self._session_id = session_id
        self._writer = writer
        self._sessions = sessions
        self._forwarder = forwarder
        self._mirror: Callable[[list[Event]], None] | None = None
        writer.on_appended = self._appended
        self._queue: asyncio.Queue[_Projection | None] = asyncio.Queue()
        self._projector: asyncio.Task[None] | None = None
        self._closed = False
        self.status: SessionStatus | None = None  # the last status emitted
        self.summary_emitted = False

    @property
    def is_terminal(self) -> bool:
        return self.status is not None and self.status.is_terminal

    async def emit(self, event: NewEvent) -> None:
        """Log the event and queue its projection; dropped after close or after a terminal
        status (see the module docstring)."""
        if self._closed:
            return
        data = event.data
        if isinstance(data, StatusUpdate):
            if self.is_terminal or data.status == self.status:
                return
            self.status = data.status
            self._project(("status", data))
        elif isinstance(data, SymptomComplete):
            self.summary_emitted = True
            self._project(("summary", data.summary))
        elif isinstance(data, RedFlag):  # rule ids and levels are the protocol's, not the patient's
            metrics.red_flags.add(1, {"triage.rule_id": data.rule_id, "level": data.level})
        await self._writer.emit(event)

    async def announce(self, status: SessionStatus, detail: str = "") -> None:
        """Move the session row to `status` and log the event only if this call moved it."""
        if self._closed or self.is_terminal or status == self.status:
            return
        # Statuses emitted before this one reach the row first: a queued ``listening`` from this
        # call must not land after a handover's ``reconnecting`` (and the next host's moves).
        await self._queue.join()
        if status.is_terminal:
            # ... and the log holds every earlier event (the summary above all) before the row
            # says the session is over: a feed client stops at "over" with nothing left to read
            with contextlib.suppress(TriageError):
                await self._writer.flush()
        try:
            _, changed = await self._sessions.try_transition(
                self._session_id, status, detail=detail
            )
        except (Conflict, NotFound) as exc:
            logger.info("status %s not announced (%s)", status.value, exc.code)
            changed = False
        except TriageError as exc:
            # Storage trouble: the log still tells the browser what happened.
            logger.warning("status %s not projected (%s)", status.value, exc.code)
            changed = True
        if status.is_terminal:
            self.status = status  # over either way: nothing after this is logged
        if changed:
            self.status = status
            await self._writer.emit(NewEvent(data=StatusUpdate(status=status, detail=detail)))

    def mirror_to(self, callback: Callable[[list[Event]], None]) -> None:
        """Have every committed batch passed to `callback` (the data-channel mirror)."""
        self._mirror = callback

    def _appended(self, events: list[Event]) -> None:
        if self._forwarder is not None:
            self._forwarder.submit(events)  # never raises, never waits
        if self._mirror is not None:
            self._mirror(events)

    async def flush(self) -> None:
        """Write what is buffered now (the browser gets it mirrored right after)."""
        if not self._closed:
            await self._writer.flush()

    async def aclose(self) -> None:
        """Drain the projector and the writer; idempotent. Logs (never raises) storage failures:
        the call is over either way."""
        if self._closed:
            return
        self._closed = True
        if self._projector is not None:
            await self._queue.put(None)
            await asyncio.gather(self._projector, return_exceptions=True)
            self._projector = None
        try:
            await self._writer.aclose()
        except TriageError as exc:
            logger.error("events of a session were lost at close: %s", exc.code)
        if self._forwarder is not None:
            await self._forwarder.aclose()

    def _project(self, item: _Projection) -> None:
        self._queue.put_nowait(item)
        if self._projector is None:
            self._projector = asyncio.create_task(self._run_projector(), name="call-projector")

    async def _run_projector(self) -> None:
        while (item := await self._queue.get()) is not None:
            try:
                await self._apply(*item)
            finally:
                self._queue.task_done()

    async def _apply(self, kind: str, value: Any) -> None:
        try:
            if kind == "status":
                await self._sessions.transition(self._session_id, value.status, detail=value.detail)
            else:
                await self._sessions.set_summary(self._session_id, value)
        except (Conflict, NotFound) as exc:
            logger.info("session projection skipped (%s)", exc.code)
        except TriageError as exc:
            logger.warning("session projection failed (%s)", exc.code)
        except Exception:
            logger.exception("session projection crashed")
