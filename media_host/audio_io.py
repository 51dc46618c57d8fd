"""The seam between the WebRTC side of a call and the realtime bridge.

The bridge never sees aiortc: it receives the patient's audio as 24 kHz mono pcm16 bytes and
hands the model's audio to a :class:`PlaybackSink`; every session event it produces goes to an
:class:`EventSink`. The WebRTC side implements both (``media_host.webrtc.outbound`` and
``media_host.call``); tests implement them in memory.

Audio format everywhere on this seam: signed 16-bit little-endian, mono, 24 kHz
(:data:`SAMPLE_RATE_MODEL`) — the GA Realtime API's ``audio/pcm`` format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from shared.events import NewEvent

SAMPLE_RATE_MODEL = 24_000  # Hz, the realtime model's pcm16 rate
SAMPLE_RATE_WEBRTC = 48_000  # Hz, Opus / aiortc's decoded audio rate
FRAME_MS = 20  # one RTP audio packet / one playback frame
BYTES_PER_SAMPLE = 2  # s16le
SAMPLES_PER_FRAME_MODEL = SAMPLE_RATE_MODEL * FRAME_MS // 1000  # 480
BYTES_PER_FRAME_MODEL = SAMPLES_PER_FRAME_MODEL * BYTES_PER_SAMPLE  # 960


def pcm16_24k_ms(n_bytes: int) -> int:
    """Milliseconds of audio in `n_bytes` of 24 kHz mono pcm16 (rounded down)."""
    return (n_bytes // BYTES_PER_SAMPLE) * 1000 // SAMPLE_RATE_MODEL


@dataclass(frozen=True)
class PlaybackCut:
    """What an interrupt stopped: the item that was playing and how much of it was heard.

    Attributes:
        item_id: The assistant item whose audio was playing (or last played), None when nothing
            had been pushed yet.
        played_ms: Milliseconds of that item actually sent to the patient; never more than
            `received_ms`. This is the ``audio_end_ms`` of ``conversation.item.truncate``.
        received_ms: Milliseconds of that item the sink had received from the model.
    """

    item_id: str | None
    played_ms: int
    received_ms: int


@runtime_checkable
class PlaybackSink(Protocol):
    """Where the bridge sends the model's audio; implemented by the outbound WebRTC track."""

    def push(self, item_id: str, pcm16_24k: bytes) -> None:
        """Enqueue model audio (24 kHz mono s16le, any length) for assistant item `item_id`.

        Never blocks. The buffer is bounded: audio beyond the bound is dropped (and logged),
        because the model streams faster than real time only by a bounded margin.
        """
        ...

    def interrupt(self) -> PlaybackCut:
        """Stop at once and drop everything buffered; report what of the current item was played."""
        ...

    def played_ms(self, item_id: str) -> int:
        """Milliseconds of `item_id` sent to the patient so far (0 for unknown items)."""
        ...

    @property
    def is_playing(self) -> bool:
        """True while buffered model audio remains to be played."""
        ...


@runtime_checkable
class EventSink(Protocol):
    """Where the bridge sends session events: the durable log plus the data-channel mirror."""

    async def emit(self, event: NewEvent) -> None:
        """Record `event` (ordered, durable) and mirror it to the browser. Never raises for a
        closed data channel; raises only if the event log itself is unusable."""
        ...


@runtime_checkable
class DurableEventSink(EventSink, Protocol):
    """An event sink that can say when what was emitted is stored (the media host's sink).

    The bridge waits on :meth:`flush` before the intake agent acts on a patient utterance, so
    every final transcript is in the durable log first. Sinks without it (tests) count as
    durable once :meth:`emit` returned.
    """

    async def flush(self) -> None:
        """Return once every event emitted so far is durably stored; raise while storage is
        unreachable (the caller retries)."""
        ...
