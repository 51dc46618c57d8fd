"""EventLogWriter: batching, order, on_appended, close semantics — on the real Azurite."""

from __future__ import annotations

import asyncio

import pytest

from shared.events import Event, NewEvent, TranscriptChunk
from shared.storage import EventLog, EventLogWriter, TableStore


def chunk(i: int) -> NewEvent:
    return NewEvent(data=TranscriptChunk(role="agent", item_id=f"i{i}", text="…", final=False))


async def test_writer_batches_keeps_order_and_reports_every_append(store: TableStore) -> None:
    log = EventLog(store)
    delivered: list[list[Event]] = []

    async def mirror(events: list[Event]) -> None:
        delivered.append(events)

    writer = EventLogWriter(log, "w1", max_batch=100, flush_interval_s=0.01, on_appended=mirror)
    for i in range(250):
        await writer.emit(chunk(i))
    await writer.aclose()

    flat = [e for batch in delivered for e in batch]
    assert [e.seq for e in flat] == list(range(1, 251))
    assert all(len(batch) <= 100 for batch in delivered)
    assert len(delivered) < 250  # coalesced, not one write per event
    stored = await log.read("w1", limit=1000)
    assert [e.data.item_id for e in stored] == [f"i{i}" for i in range(250)]  # type: ignore[union-attr]
    assert writer.pending == 0 and writer.last_seq == 250


async def test_writer_flushes_on_its_own_within_the_interval(store: TableStore) -> None:
    log = EventLog(store)
    got = asyncio.Event()
    writer = EventLogWriter(log, "w2", flush_interval_s=0.02, on_appended=lambda _e: got.set())
    await writer.emit(chunk(1))
    await asyncio.wait_for(got.wait(), 5)
    assert [e.seq for e in await log.read("w2")] == [1]
    await writer.aclose()
    await writer.aclose()  # idempotent
    with pytest.raises(RuntimeError):
        await writer.emit(chunk(2))


async def test_failing_callback_does_not_lose_events(store: TableStore) -> None:
    log = EventLog(store)

    def broken(_events: list[Event]) -> None:
        raise ValueError("data channel closed")

    async with EventLogWriter(log, "w3", on_appended=broken) as writer:
        await writer.emit_many([chunk(i) for i in range(5)])
        await writer.flush()
    assert len(await log.read("w3")) == 5


async def test_explicit_flush_and_background_task_never_duplicate(store: TableStore) -> None:
    log = EventLog(store)
    writer = EventLogWriter(log, "w4", max_batch=7, flush_interval_s=0)
    for i in range(60):
        await writer.emit(chunk(i))
        if i % 9 == 0:
            await writer.flush()
    await writer.aclose()
    stored = await log.read("w4", limit=1000)
    assert [e.data.item_id for e in stored] == [f"i{i}" for i in range(60)]  # type: ignore[union-attr]
