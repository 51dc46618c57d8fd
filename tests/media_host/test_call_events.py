"""CallEventSink ordering against real Table Storage (Azurite)."""

from __future__ import annotations

import asyncio
from typing import Any

from media_host.call_events import CallEventSink
from shared.config import StorageSettings
from shared.events import NewEvent, SessionStatus, StatusUpdate
from shared.storage import EventLog, EventLogWriter, SessionRecord, SessionStore, TableStore
from tests.media_host.support import create_session


class HeldProjections(SessionStore):
    """The real sessions table, with the sink's background status projection held at a gate
    (what a slow storage round trip does), so the test decides when it lands."""

    def __init__(self, store: TableStore) -> None:
        super().__init__(store)
        self.gate = asyncio.Event()

    async def transition(self, session_id: str, to: SessionStatus, **kwargs: Any) -> SessionRecord:
        await self.gate.wait()
        return await super().transition(session_id, to, **kwargs)


async def test_an_announced_status_lands_after_the_projections_queued_before_it(
    azurite: Any, table_prefix: str
) -> None:
    """A handover's ``reconnecting`` must not be overtaken by this call's own earlier
    ``listening``: the next host moves the session on from ``reconnecting``, and a stale
    ``listening`` landing after that would claim the old call is still live."""
    storage = StorageSettings.model_validate(
        {"connection_string": azurite.connection_string, "table_prefix": table_prefix}
    )
    async with TableStore.from_settings(storage) as store:
        sessions = HeldProjections(store)
        sessions.gate.set()  # the set-up's own transition is not held
        session_id = await create_session(sessions, status=SessionStatus.CONNECTED)
        sessions.gate.clear()
        log = EventLog(store)
        sink = CallEventSink(session_id, EventLogWriter(log, session_id), sessions)

        await sink.emit(NewEvent(data=StatusUpdate(status=SessionStatus.LISTENING)))
        announce = asyncio.create_task(sink.announce(SessionStatus.RECONNECTING, "handover"))
        done, _ = await asyncio.wait({announce}, timeout=1.0)
        assert not done, "announced before the earlier projection reached the row"

        sessions.gate.set()
        await announce
        await sink.aclose()
        assert (await sessions.get(session_id)).status is SessionStatus.RECONNECTING
        logged = [
            e.data.status for e in await log.read(session_id) if isinstance(e.data, StatusUpdate)
        ]
        assert logged[-2:] == [SessionStatus.LISTENING, SessionStatus.RECONNECTING]
