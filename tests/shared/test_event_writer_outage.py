"""EventLogWriter keeps every queued event through a storage outage.

The outage is real at the network level: the writer reaches Azurite through a TCP relay that the
test cuts (listener closed, open connections dropped) and later restores on the same port.
"""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from devtools.azurite import Azurite, table_connection_string
from shared.config import StorageSettings
from shared.events import NewEvent, TranscriptChunk
from shared.problems import StorageError
from shared.storage import EventLog, EventLogWriter, TableStore
from tests.support.tcp_relay import TcpRelay


def chunk(i: int) -> NewEvent:
    return NewEvent(data=TranscriptChunk(role="agent", item_id=f"i{i}", text="x", final=False))


async def test_events_survive_an_outage_and_are_written_once_in_order(
    azurite: Azurite, table_prefix: str
) -> None:
    relay = TcpRelay(azurite.port)
    await relay.start()
    settings = StorageSettings(
        connection_string=SecretStr(table_connection_string(relay.port)), table_prefix=table_prefix
    )
    async with TableStore.from_settings(settings, client_options={"retry_total": 0}) as store:
        log = EventLog(store)
        writer = EventLogWriter(log, "outage", flush_interval_s=0.01)
        await writer.emit_many([chunk(i) for i in range(10)])
        await writer.flush()
        await relay.cut()
        await writer.emit_many([chunk(i) for i in range(10, 25)])
        with pytest.raises(StorageError):
            await writer.flush()
        assert writer.pending == 15  # nothing dropped
        await relay.start()  # storage is back, same address
        await asyncio.wait_for(writer.aclose(), 30)
        stored = await log.read("outage", limit=100)
    await relay.cut()
    assert [e.data.item_id for e in stored] == [f"i{i}" for i in range(25)]  # type: ignore[union-attr]
    assert [e.seq for e in stored] == list(range(1, 26))
