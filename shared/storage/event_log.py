"""The per-session event log in Table Storage: insert-only, gap-free, ordered by key.

Layout: table ``events``, PartitionKey = session id, RowKey = the sequence number zero-padded to
12 digits, so the service's key order is the seq order and ``RowKey gt <after>`` resumes a reader.

Ordering design (why a reader can never skip an event):

* A batch is written as one entity-group transaction of ``create`` (insert) operations with the
  consecutive seqs ``tail+1 … tail+k``. Table Storage applies the whole transaction or nothing.
* A writer only ever computes seqs from a tail it *read*. If another writer committed in the
  meantime, the row ``tail+1`` already exists, so the insert fails with ``EntityAlreadyExists``:
  the conflict is detected, nothing is overwritten, and the writer re-reads the tail and retries
  with new seqs (bounded by ``max_conflict_retries``).
* Therefore every committed transaction starts right after an existing row: at every instant the
  log is a contiguous prefix ``1 … N``. Commit order equals seq order and a reader polling
  ``after=N`` can never observe ``N+2`` before ``N+1`` (there are no gaps to fill later).

Appends bigger than one transaction (100 operations or ~4 MiB) are split; each part is atomic and
ordered, but another writer's events may land between two parts of the same call.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from azure.data.tables import TableTransactionError
from azure.data.tables.aio import TableClient

from shared.events import Event, EventType, NewEvent, parse_event_data
from shared.metrics import count_storage_retry
from shared.problems import Conflict, StorageError, Unprocessable
from shared.storage.chunks import join_property, split_property, utf16_units
from shared.storage.tables import EVENTS, TableStore, storage_errors

SEQ_DIGITS: Final = 12
MAX_BATCH_OPS: Final = 100  # entity-group transaction limit
MAX_BATCH_BYTES: Final = 3_500_000  # under the 4 MiB transaction payload limit, with headroom
_ENTITY_OVERHEAD_BYTES: Final = 1_024  # keys, property names, JSON framing of the batch body
MAX_READ_LIMIT: Final = 1_000
_TAIL_CACHE_SIZE: Final = 4_096


def row_key(seq: int) -> str:
    return f"{seq:0{SEQ_DIGITS}d}"


def validate_session_key(session_id: str) -> None:
    """Refuse ids Table Storage cannot use as a PartitionKey (or would make queries ambiguous)."""
    if (
        not session_id
        or len(session_id) > 128
        or any(ch in session_id for ch in "/\\#?'")
        or not session_id.isprintable()
    ):
        raise Unprocessable("session id is not a valid key", code="invalid_session_id")


class AppendInterrupted(StorageError):
    """An append split over several transactions failed after some of them committed.

    ``appended`` holds the events that are durably in the log (a retry must skip them).
    """

    def __init__(self, detail: str, *, appended: list[Event]) -> None:
        super().__init__(detail)
        self.appended = appended


class _Prepared:
    """One event serialised once, so retries with new seqs do not re-encode it."""

    __slots__ = ("new", "props", "size")

    def __init__(self, new: NewEvent) -> None:
        data_json = new.data.model_dump_json()
        self.new = new
        self.props: dict[str, Any] = {
            "type": str(new.type),
            "ts": new.ts.isoformat(),
            **split_property("data", data_json),
        }
        self.size = 2 * utf16_units(data_json) + _ENTITY_OVERHEAD_BYTES


class EventLog:
    """Append and read session events. One instance per process; safe for concurrent tasks."""

    def __init__(self, store: TableStore, *, max_conflict_retries: int = 20) -> None:
        self._store = store
        self._max_conflict_retries = max_conflict_retries
        self._tails: OrderedDict[str, int] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}
        self.conflicts = 0  # inserts refused because another writer held the seq (a metric)

    @property
    def _table(self) -> TableClient:
        return self._store.table(EVENTS)

    async def append(self, session_id: str, events: Sequence[NewEvent]) -> list[Event]:
        """Append events after the current tail and return them with their seqs.

        Raises:
            Conflict: other writers kept winning for ``max_conflict_retries`` rounds.
            AppendInterrupted: a later transaction of a split append failed.
            StorageError: the service failed before anything was written.
        """
        validate_session_key(session_id)
        if not events:
            return []
        remaining = [_Prepared(event) for event in events]
        appended: list[Event] = []
        conflicts = 0
        async with self._lock(session_id):
            tail = await self.last_seq(session_id)
            while remaining:
                batch = _take_batch(remaining)
                try:
                    committed = await self._insert(session_id, tail, batch)
                except _SeqTaken:
                    conflicts += 1
                    self.conflicts += 1
                    count_storage_retry("event_log_conflict")
                    if conflicts > self._max_conflict_retries:
                        raise Conflict(
                            "too many concurrent writers on this session's event log",
                            code="event_log_contention",
                        ) from None
                    await asyncio.sleep(random.uniform(0, 0.005 * conflicts))  # noqa: S311
                    tail = await self.last_seq(session_id)
                    continue
                except StorageError as exc:
                    if appended:
                        raise AppendInterrupted(str(exc), appended=appended) from exc
                    raise
                appended.extend(committed)
                tail += len(committed)
                self._remember_tail(session_id, tail)
                del remaining[: len(batch)]
        return appended

    async def read(self, session_id: str, *, after: int = 0, limit: int = 500) -> list[Event]:
        """Events with ``seq > after`` in seq order, at most ``limit`` (≤ 1000)."""
        validate_session_key(session_id)
        limit = max(1, min(limit, MAX_READ_LIMIT))
        events: list[Event] = []
        async with storage_errors("read events"):
            query = self._table.query_entities(
                "PartitionKey eq @pk and RowKey gt @rk",
                parameters={"pk": session_id, "rk": row_key(max(after, 0))},
                results_per_page=limit,
            )
            async for entity in query:
                events.append(_event_from_entity(session_id, entity))
                if len(events) >= limit:
                    break
        if events:
            self._remember_tail(session_id, events[-1].seq)
        return events

    async def last_seq(self, session_id: str) -> int:
        """The highest committed seq (0 for an empty log).

        Scans keys only, starting after the highest seq this process has seen, so a hot session
        costs one short query. Correct because the log only grows and has no gaps.
        """
        validate_session_key(session_id)
        tail = self._tails.get(session_id, 0)
        async with storage_errors("read the event log tail"):
            query = self._table.query_entities(
                "PartitionKey eq @pk and RowKey gt @rk",
                parameters={"pk": session_id, "rk": row_key(tail)},
                select=["RowKey"],
                results_per_page=MAX_READ_LIMIT,
            )
            async for entity in query:
                tail = max(tail, int(entity["RowKey"]))
        self._remember_tail(session_id, tail)
        return tail

    async def _insert(self, session_id: str, tail: int, batch: list[_Prepared]) -> list[Event]:
        operations = [
            ("create", {"PartitionKey": session_id, "RowKey": row_key(tail + i + 1), **p.props})
            for i, p in enumerate(batch)
        ]
        async with storage_errors("append events"):
            try:
                await self._table.submit_transaction(operations)
            except TableTransactionError as exc:
                if getattr(exc, "error_code", None) == "EntityAlreadyExists":
                    raise _SeqTaken from exc
                raise
        return [
            Event.from_new(p.new, seq=tail + i + 1, session_id=session_id)
            for i, p in enumerate(batch)
        ]

    def _lock(self, session_id: str) -> asyncio.Lock:
        lock = self._locks.get(session_id)
        if lock is None:
            if len(self._locks) >= _TAIL_CACHE_SIZE:
                for key in [k for k, v in self._locks.items() if not v.locked()]:
                    del self._locks[key]
            lock = self._locks[session_id] = asyncio.Lock()
        return lock

    def _remember_tail(self, session_id: str, tail: int) -> None:
        known = self._tails.pop(session_id, 0)
        self._tails[session_id] = max(known, tail)  # re-inserted last: least recently used first
        while len(self._tails) > _TAIL_CACHE_SIZE:
            self._tails.popitem(last=False)


class _SeqTaken(Exception):
    """Internal: another writer already committed one of the seqs we tried to insert."""


def _take_batch(remaining: list[_Prepared]) -> list[_Prepared]:
    batch: list[_Prepared] = []
    size = 0
    for prepared in remaining:
        if batch and (len(batch) >= MAX_BATCH_OPS or size + prepared.size > MAX_BATCH_BYTES):
            break
        batch.append(prepared)
        size += prepared.size
    return batch


def _event_from_entity(session_id: str, entity: Mapping[str, Any]) -> Event:
    data_json = join_property("data", entity)
    if data_json is None:
        raise StorageError("an event row has no payload", code="corrupt_event")
    return Event(
        seq=int(entity["RowKey"]),
        session_id=session_id,
        type=EventType(entity["type"]),
        ts=datetime.fromisoformat(entity["ts"]),
        data=parse_event_data(json.loads(data_json)),
    )


__all__ = [
    "MAX_BATCH_OPS",
    "AppendInterrupted",
    "EventLog",
    "row_key",
    "validate_session_key",
]
