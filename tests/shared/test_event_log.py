"""EventLog against the real Azurite: ordering, batching, conflicts, concurrent writers."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from shared.config import StorageSettings
from shared.events import (
    Event,
    EventType,
    NewEvent,
    SessionStatus,
    StatusUpdate,
    SymptomComplete,
    TranscriptChunk,
)
from shared.problems import Unprocessable
from shared.storage import EventLog, TableStore
from shared.storage.tables import EVENTS


def chunk(item_id: str, text: str = "t") -> NewEvent:
    return NewEvent(data=TranscriptChunk(role="patient", item_id=item_id, text=text, final=False))


async def read_all(
    log: EventLog, session_id: str, *, after: int = 0, page: int = 500
) -> list[Event]:
    out: list[Event] = []
    while True:
        batch = await log.read(session_id, after=after, limit=page)
        if not batch:
            return out
        out.extend(batch)
        after = batch[-1].seq


async def test_append_assigns_consecutive_seqs_and_round_trips_payloads(store: TableStore) -> None:
    log = EventLog(store)
    first = await log.append(
        "s1", [chunk("a"), NewEvent(data=StatusUpdate(status=SessionStatus.CONNECTED))]
    )
    second = await log.append(
        "s1", [NewEvent(data=SymptomComplete(summary={"chief": "x" * 50_000}))]
    )
    assert [e.seq for e in first + second] == [1, 2, 3]
    stored = await read_all(log, "s1")
    assert stored == first + second
    assert stored[2].type is EventType.SYMPTOM_COMPLETE
    assert stored[2].data.summary["chief"] == "x" * 50_000  # type: ignore[union-attr]
    assert await log.last_seq("s1") == 3
    assert await log.last_seq("other") == 0
    assert await log.read("s1", after=3) == []


class _SpyTable:
    """Wraps the real events TableClient and records each transaction's size. With a ``rival``,
    before the first transaction another client inserts the very row that transaction is about to
    create (the race a second process could win)."""

    def __init__(self, real: Any, rival: Any = None) -> None:
        self._real = real
        self._rival = rival
        self.raced = rival is None
        self.transaction_sizes: list[int] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def submit_transaction(self, operations: list[Any]) -> Any:
        if not self.raced:
            self.raced = True
            first = operations[0][1]
            await self._rival.create_entity(
                {
                    "PartitionKey": first["PartitionKey"],
                    "RowKey": first["RowKey"],
                    "type": "status_update",
                    "ts": "2026-01-01T00:00:00+00:00",
                    "data_0": '{"type":"status_update","status":"connecting","detail":"rival"}',
                    "data_n": 1,
                }
            )
        self.transaction_sizes.append(len(operations))
        return await self._real.submit_transaction(operations)


class _SpyStore(TableStore):
    def __init__(self, inner: TableStore, racing: _SpyTable) -> None:
        self._inner = inner
        self._racing = racing

    def table(self, base: str) -> Any:
        return self._racing if base == EVENTS else self._inner.table(base)


async def test_conflicting_insert_is_detected_and_never_overwritten(
    store: TableStore, storage_settings: StorageSettings
) -> None:
    async with TableStore.from_settings(storage_settings) as rival_store:
        racing = _SpyTable(store.table(EVENTS), rival_store.table(EVENTS))
        log = EventLog(_SpyStore(store, racing))
        stored = await log.append("race", [chunk("mine-1"), chunk("mine-2")])
    assert racing.raced
    assert log.conflicts == 1
    assert [e.seq for e in stored] == [2, 3]  # retried after the rival's row
    events = await read_all(EventLog(store), "race")
    assert events[0].data.detail == "rival"  # type: ignore[union-attr]  # not overwritten
    assert [e.seq for e in events] == [1, 2, 3]


async def test_append_of_250_is_split_into_transactions_of_at_most_100(store: TableStore) -> None:
    spy = _SpyTable(store.table(EVENTS))
    log = EventLog(_SpyStore(store, spy))
    stored = await log.append("s250", [chunk(f"i{i}") for i in range(250)])
    assert spy.transaction_sizes == [100, 100, 50]
    assert [e.seq for e in stored] == list(range(1, 251))
    read = await read_all(EventLog(store), "s250", page=1000)
    assert [e.data.item_id for e in read] == [f"i{i}" for i in range(250)]  # type: ignore[union-attr]


async def test_two_concurrent_writers_1000_events_read_exactly_once_in_order(
    store: TableStore, storage_settings: StorageSettings
) -> None:
    session = "busy"
    async with TableStore.from_settings(storage_settings) as other_store:
        writers = {"A": EventLog(store), "B": EventLog(other_store)}
        seen_live: list[int] = []
        done = asyncio.Event()

        async def write(name: str, log: EventLog) -> None:
            sent = 0
            size = 1
            while sent < 500:
                n = min(size, 500 - sent)
                await log.append(session, [chunk(f"{name}{sent + i}") for i in range(n)])
                sent += n
                size = size % 37 + 7  # varied batch sizes: 1, 8, 15, …

        async def tail_reader() -> None:
            # A live reader advancing its cursor must see contiguous seqs (no gap ever visible).
            reader = EventLog(store)
            cursor = 0
            while not done.is_set() or cursor < 1000:
                batch = await reader.read(session, after=cursor, limit=100)
                for event in batch:
                    assert event.seq == cursor + 1
                    cursor = event.seq
                    seen_live.append(event.seq)
                if not batch:
                    await asyncio.sleep(0.005)

        reader_task = asyncio.create_task(tail_reader())
        await asyncio.gather(*(write(n, log) for n, log in writers.items()))
        done.set()
        await asyncio.wait_for(reader_task, 30)

    assert seen_live == list(range(1, 1001))
    events = await read_all(EventLog(store), session)
    assert [e.seq for e in events] == list(range(1, 1001))
    ids = [e.data.item_id for e in events]  # type: ignore[union-attr]
    assert len(set(ids)) == 1000
    for name in "AB":  # each writer's events keep their emit order
        mine = [int(i[1:]) for i in ids if i.startswith(name)]
        assert mine == list(range(500))
    for cursor in (0, 1, 99, 100, 101, 500, 998, 999, 1000):
        resumed = await read_all(EventLog(store), session, after=cursor, page=77)
        assert [e.seq for e in resumed] == list(range(cursor + 1, 1001))


async def test_invalid_session_keys_are_refused(store: TableStore) -> None:
    log = EventLog(store)
    for bad in ("", "a/b", "a#b", "x" * 200, "it's"):
        with pytest.raises(Unprocessable):
            await log.append(bad, [chunk("a")])
    assert await log.append("ok", []) == []
