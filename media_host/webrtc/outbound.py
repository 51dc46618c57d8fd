"""The outbound audio track: model audio to the patient, paced in 20 ms frames.

aiortc's RTP sender calls :meth:`PacedAudioTrack.recv` in a loop and sends whatever it returns at
once, so the track owns the timing. Frame ``n`` is due at ``t0 + n * 20 ms`` on the event loop's
monotonic clock; the deadline is computed from the anchor every time (never by adding sleeps), so
scheduling jitter does not accumulate into drift. Two rules keep latency flat:

- *Idle wake*: after a frame that ran out of audio, a :meth:`push` wakes the sleeping track and
  the new audio goes out at once instead of at the next slot — but never before the previous
  slot began. The track thus leads its fixed grid by at most one frame; the grid itself never
  moves, so the frame rate can never exceed real time (which would grow the receiver's jitter
  buffer) while the first audio of a reply waits for the scheduler, not for a 20 ms slot.
- *Lag skip*: if the loop stalled for longer than ``max_lag_ms``, the missed slots are skipped
  (the RTP timestamp jumps like a network gap would) instead of bursting frames to catch up.

Frames are 24 kHz mono s16 — the model's format. aiortc's Opus encoder resamples to 48 kHz
stereo itself; measured on this machine, producing 48 kHz frames with soxr first costs the same
(~105 µs/frame, Opus dominates), so the extra resampler is not worth its code.

The buffer is bounded (``buffer_ms``); :meth:`interrupt` drops it at once and reports how much of
the current item was actually handed to the sender, which is what ``conversation.item.truncate``
needs. Pushes for an interrupted item are ignored afterwards: they are deltas that were already
in flight when the patient barged in.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame

from media_host.audio_io import (
    BYTES_PER_FRAME_MODEL,
    FRAME_MS,
    SAMPLE_RATE_MODEL,
    SAMPLES_PER_FRAME_MODEL,
    PlaybackCut,
    pcm16_24k_ms,
)

logger = logging.getLogger(__name__)

_FRAME_S = FRAME_MS / 1000
_TIME_BASE = fractions.Fraction(1, SAMPLE_RATE_MODEL)
_SILENCE = bytes(BYTES_PER_FRAME_MODEL)
_ITEMS_REMEMBERED = 32  # per-item counters kept for played_ms / truncation


@dataclass
class _Segment:
    item_id: str
    data: bytes
    offset: int
    pushed_at: float
    fresh: bool  # pushed into an empty buffer: its wait is added latency, not queueing
    after_silence: bool  # ... and the track had been playing silence (a reply starts)


@dataclass
class _ItemCounters:
    received: int = 0  # bytes
    played: int = 0  # bytes


class PacedAudioTrack(MediaStreamTrack):
    """An audio ``MediaStreamTrack`` that plays pushed model audio in real time; a PlaybackSink.

    Args:
        buffer_ms: Most audio held for playback; what does not fit is dropped and logged.
        max_lag_ms: Lateness beyond which missed frame slots are skipped instead of caught up.
        latency_observer: Called as ``(seconds, after_silence)`` for audio pushed into an empty
            buffer: seconds until the first frame carrying it left :meth:`recv`;
            ``after_silence`` is True when the track had been playing silence (a reply starts)
            and False for a mid-stream underrun refill, which may wait for the pacing grid
            (at most one frame) — benchmarks and metrics.
    """

    kind = "audio"

    def __init__(
        self,
        *,
        buffer_ms: int = 60_000,
        max_lag_ms: int = 200,
        latency_observer: Callable[[float, bool], None] | None = None,
    ) -> None:
        super().__init__()
        self._max_bytes = max(BYTES_PER_FRAME_MODEL, buffer_ms * SAMPLE_RATE_MODEL // 1000 * 2)
        self._max_lag_s = max_lag_ms / 1000
        self._latency_observer = latency_observer
        self._segments: deque[_Segment] = deque()
        self._buffered = 0
        self._items: OrderedDict[str, _ItemCounters] = OrderedDict()
        self._cut_items: OrderedDict[str, None] = OrderedDict()
        self._last_item: str | None = None
        self._anchor: float | None = None
        self._frame_index = 0
        self._pts = 0
        self._waiter: asyncio.Future[None] | None = None
        self._starved = True  # the last frame ran out of audio (or nothing played yet)
        self._silent = True  # the last frame was all silence
        self._overflow_logged: str | None = None

    # --- PlaybackSink -----------------------------------------------------------------------

    def push(self, item_id: str, pcm16_24k: bytes) -> None:
        """Enqueue model audio for `item_id`; never blocks (see the module docstring)."""
        if self.readyState != "live" or item_id in self._cut_items or not pcm16_24k:
            return
        data = pcm16_24k[: len(pcm16_24k) & ~1]  # whole samples only
        room = self._max_bytes - self._buffered
        if len(data) > room:
            if self._overflow_logged != item_id:
                logger.warning("playback buffer full, dropping audio of item %s", item_id)
                self._overflow_logged = item_id
            data = data[: max(0, room) & ~1]
            if not data:
                return
        loop_time = asyncio.get_running_loop().time()
        fresh = self._buffered == 0
        after_silence = fresh and self._silent
        self._segments.append(_Segment(item_id, data, 0, loop_time, fresh, after_silence))
        self._buffered += len(data)
        self._counters(item_id).received += len(data)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def interrupt(self) -> PlaybackCut:
        """Drop everything buffered; return how much of the item being heard was played."""
        current = self._segments[0].item_id if self._segments else self._last_item
        for segment in self._segments:
            self._remember_cut(segment.item_id)
        self._segments.clear()
        self._buffered = 0
        if current is None:
            return PlaybackCut(item_id=None, played_ms=0, received_ms=0)
        self._remember_cut(current)
        counters = self._items.get(current, _ItemCounters())
        played = min(counters.played, counters.received)
        return PlaybackCut(
            item_id=current,
            played_ms=pcm16_24k_ms(played),
            received_ms=pcm16_24k_ms(counters.received),
        )

    def played_ms(self, item_id: str) -> int:
        """Milliseconds of `item_id` handed to the RTP sender so far."""
        counters = self._items.get(item_id)
        return pcm16_24k_ms(counters.played) if counters else 0

    @property
    def is_playing(self) -> bool:
        """True while model audio remains buffered."""
        return self._buffered > 0

    @property
    def buffered_ms(self) -> int:
        """Milliseconds of audio waiting to be played."""
        return pcm16_24k_ms(self._buffered)

    # --- MediaStreamTrack -------------------------------------------------------------------

    async def recv(self) -> AudioFrame:
        """Wait for the next 20 ms slot and return its frame (model audio or silence)."""
        if self.readyState != "live":
            raise MediaStreamError
        loop = asyncio.get_running_loop()
        if self._anchor is None:
            self._anchor = loop.time()
        else:
            self._frame_index += 1
            self._pts += SAMPLES_PER_FRAME_MODEL
            await self._wait_for_slot(loop)
            if self.readyState != "live":
                raise MediaStreamError
        return self._next_frame(loop.time())

    def stop(self) -> None:
        """End the track: drop buffered audio and release a pending :meth:`recv`."""
        super().stop()
        self._segments.clear()
        self._buffered = 0
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # --- internals --------------------------------------------------------------------------

    async def _wait_for_slot(self, loop: asyncio.AbstractEventLoop) -> None:
        assert self._anchor is not None
        deadline = self._anchor + self._frame_index * _FRAME_S
        now = loop.time()
        if now - deadline > self._max_lag_s:
            # The loop stalled: skip the missed slots rather than burst frames out.
            missed = int((now - deadline) / _FRAME_S)
            self._frame_index += missed
            self._pts += missed * SAMPLES_PER_FRAME_MODEL
            return
        if not self._starved:
            await self._sleep_until(loop, deadline, wakeable=False)
            return
        # The last frame ran out of audio. New audio may go out as soon as it arrives, but never
        # before the previous slot began: the track then leads the grid by at most one frame,
        # and since the grid itself never moves, the frame rate cannot exceed real time.
        earliest = deadline - _FRAME_S
        while loop.time() < deadline and self.readyState == "live":
            if self._buffered > 0:
                if loop.time() >= earliest:
                    return
                await self._sleep_until(loop, earliest, wakeable=False)
                return
            await self._sleep_until(loop, deadline, wakeable=True)

    async def _sleep_until(
        self, loop: asyncio.AbstractEventLoop, when: float, *, wakeable: bool
    ) -> None:
        """Sleep until `when` on the loop clock; a push (or stop) ends it early if `wakeable`."""
        if when <= loop.time():
            return
        waiter: asyncio.Future[None] = loop.create_future()
        timer = loop.call_at(when, _resolve, waiter)
        if wakeable:
            self._waiter = waiter
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiter = None

    def _next_frame(self, now: float) -> AudioFrame:
        payload = self._take(BYTES_PER_FRAME_MODEL, now)
        frame = AudioFrame(format="s16", layout="mono", samples=SAMPLES_PER_FRAME_MODEL)
        frame.planes[0].update(payload)
        frame.pts = self._pts
        frame.sample_rate = SAMPLE_RATE_MODEL
        frame.time_base = _TIME_BASE
        return frame

    def _take(self, size: int, now: float) -> bytes:
        if not self._segments:
            self._starved = self._silent = True
            return _SILENCE
        parts: list[bytes] = []
        needed = size
        while needed and self._segments:
            segment = self._segments[0]
            if segment.offset == 0 and segment.fresh and self._latency_observer is not None:
                self._latency_observer(now - segment.pushed_at, segment.after_silence)
            chunk = segment.data[segment.offset : segment.offset + needed]
            parts.append(chunk)
            needed -= len(chunk)
            segment.offset += len(chunk)
            self._buffered -= len(chunk)
            self._counters(segment.item_id).played += len(chunk)
            self._last_item = segment.item_id
            if segment.offset >= len(segment.data):
                self._segments.popleft()
        self._starved = needed > 0 or not self._segments
        self._silent = False
        if needed:
            parts.append(bytes(needed))
        return b"".join(parts)

    def _counters(self, item_id: str) -> _ItemCounters:
        counters = self._items.get(item_id)
        if counters is None:
            counters = self._items[item_id] = _ItemCounters()
            while len(self._items) > _ITEMS_REMEMBERED:
                self._items.popitem(last=False)
        return counters

    def _remember_cut(self, item_id: str) -> None:
        self._cut_items[item_id] = None
        while len(self._cut_items) > _ITEMS_REMEMBERED:
            self._cut_items.popitem(last=False)


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
