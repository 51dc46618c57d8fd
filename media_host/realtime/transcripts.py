"""Transcripts in conversation order, each final exactly once, deltas coalesced. Pure, no I/O.

The realtime model reports transcripts as they are ready, not in conversation order: the
patient's input transcription (``…input_audio_transcription.completed``) is asynchronous and can
arrive after the assistant's answer to it has begun. The conversation order is given by
``previous_item_id`` on ``input_audio_buffer.committed`` / ``conversation.item.added``; this
module keeps the items in that order and releases a final transcript only when every earlier
item that will have one has been released. A patient final that does not come within
``wait_s`` (transcription never sent) stops holding the queue; if it arrives later it is
released at once — late, never lost. Agent items always end with their response; finals still
pending when a connection drops are given up (:meth:`TranscriptLog.drop_pending`).

Deltas (``final=False``) are the low-latency path: released in batches every ``batch_ms`` per
item, in arrival order; once an item's final is released, its later deltas are dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal

from shared.events import MAX_TEXT_CHARS, TranscriptChunk

Speaker = Literal["patient", "agent"]
_MAX_REMEMBERED = 20_000  # finalized ids kept for de-duplication (a long call has a few hundred)


@dataclass
class _Entry:
    role: Speaker | None  # None: an item without a transcript (function call, output …)
    registered_at: float
    final: str | None = None
    skipped: bool = False  # stopped holding the queue; a late final is released directly


@dataclass(frozen=True)
class Released:
    """Output of the transcript log: chunks to emit and patient finals for the agent."""

    chunks: tuple[TranscriptChunk, ...] = ()
    patient_finals: tuple[tuple[str, str], ...] = ()  # (item_id, text), conversation order


@dataclass
class _Batch:
    role: Speaker
    text: list[str] = field(default_factory=list)
    started_at: float = 0.0


class TranscriptLog:
    """Orders, de-duplicates and batches transcripts of one session (across reconnects)."""

    def __init__(self, *, batch_ms: int, wait_s: float) -> None:
        self._batch_s = batch_ms / 1000
        self._wait_s = wait_s
        self._order: list[str] = []  # pending items, conversation order
        self._items: dict[str, _Entry] = {}
        self._finalized: OrderedDict[str, None] = OrderedDict()
        self._batches: dict[str, _Batch] = {}

    def is_finalized(self, item_id: str) -> bool:
        return item_id in self._finalized

    def register(
        self, item_id: str, previous_item_id: str | None, role: Speaker | None, now: float
    ) -> Released:
        """Place an item in the conversation (idempotent: the first placement wins)."""
        self._place(item_id, previous_item_id, role, now)
        return self._release(now)

    def _place(
        self, item_id: str, previous_item_id: str | None, role: Speaker | None, now: float
    ) -> None:
        if item_id in self._items or item_id in self._finalized:
            entry = self._items.get(item_id)
            if entry is not None and entry.role is None and role is not None:
                entry.role = role  # item.added told us more than committed did
            return
        self._items[item_id] = _Entry(role=role, registered_at=now)
        if previous_item_id is not None and previous_item_id in self._order:
            self._order.insert(self._order.index(previous_item_id) + 1, item_id)
        else:
            # First item of a (new) session, or its predecessor was already released.
            self._order.append(item_id)

    def delta(self, item_id: str, role: Speaker, text: str, now: float) -> Released:
        """Add an incremental piece of text; returns a batch when one is due."""
        if not text or item_id in self._finalized:
            return Released()
        batch = self._batches.get(item_id)
        if batch is None:
            batch = self._batches[item_id] = _Batch(role=role, started_at=now)
        batch.text.append(text)
        if now - batch.started_at >= self._batch_s:
            return Released(chunks=(self._flush_batch(item_id),))
        return Released()

    def final(self, item_id: str, role: Speaker, text: str, now: float) -> Released:
        """The whole text of an item; released in conversation order, exactly once."""
        if item_id in self._finalized:
            return Released()
        entry = self._items.get(item_id)
        if entry is None:
            # A final for an item we never saw placed: it can only go at the end.
            self._place(item_id, None, role, now)
            entry = self._items[item_id]
        entry.role = role
        entry.final = text[:MAX_TEXT_CHARS]
        if entry.skipped:
            return self._emit_final(item_id)
        return self._release(now)

    def resolve_without_text(self, item_id: str, now: float) -> Released:
        """The item will never have a transcript (failed transcription, empty cancelled reply)."""
        entry = self._items.get(item_id)
        if entry is None or entry.final is not None:
            return Released()
        entry.role = None
        return self._release(now)

    def drop_pending(self, now: float) -> Released:
        """The connection that would have delivered the pending finals is gone: stop waiting."""
        for item_id in self._order:
            entry = self._items[item_id]
            if entry.final is None:
                entry.role = None
        return self._release(now)

    def tick(self, now: float) -> Released:
        """Flush due delta batches and stop waiting for finals that are overdue."""
        chunks = [
            self._flush_batch(item_id)
            for item_id, batch in list(self._batches.items())
            if now - batch.started_at >= self._batch_s
        ]
        released = self._release(now)
        return Released(tuple(chunks) + released.chunks, released.patient_finals)

    def flush_all(self, now: float) -> Released:
        """Release everything that can be released, waiting for nothing (session end)."""
        flushed = self.drop_pending(now)
        batches = [self._flush_batch(item_id) for item_id in list(self._batches)]
        return Released(flushed.chunks + tuple(batches), flushed.patient_finals)

    def _release(self, now: float) -> Released:
        chunks: list[TranscriptChunk] = []
        finals: list[tuple[str, str]] = []
        while self._order:
            head = self._order[0]
            entry = self._items[head]
            if entry.role is not None and entry.final is None:
                # Only the asynchronous input transcription may be given up on; an agent item
                # always ends with its response (response.done always arrives).
                if entry.role == "agent" or now - entry.registered_at < self._wait_s:
                    break
                entry.skipped = True  # overdue: stop holding the queue, keep listening
                self._order.pop(0)
                continue
            self._order.pop(0)
            if entry.role is not None and entry.final is not None:
                released = self._emit_final(head)
                chunks.extend(released.chunks)
                finals.extend(released.patient_finals)
            else:
                del self._items[head]
        return Released(tuple(chunks), tuple(finals))

    def _emit_final(self, item_id: str) -> Released:
        entry = self._items.pop(item_id)
        if item_id in self._order:
            self._order.remove(item_id)
        self._batches.pop(item_id, None)  # the final supersedes unsent deltas
        self._finalized[item_id] = None
        while len(self._finalized) > _MAX_REMEMBERED:
            self._finalized.popitem(last=False)
        assert entry.role is not None and entry.final is not None
        chunk = TranscriptChunk(role=entry.role, item_id=item_id, text=entry.final, final=True)
        patient = ((item_id, entry.final),) if entry.role == "patient" else ()
        return Released(chunks=(chunk,), patient_finals=patient)

    def _flush_batch(self, item_id: str) -> TranscriptChunk:
        batch = self._batches.pop(item_id)
        text = "".join(batch.text)[:MAX_TEXT_CHARS]
        return TranscriptChunk(role=batch.role, item_id=item_id, text=text, final=False)
