"""The input audio buffer on the session timeline, with server VAD turn segmentation.

Pure computation: appended PCM goes in, speech start/stop signals (with the committed turn's
audio) come out. Timestamps are milliseconds of all audio appended during the session, like the
hosted service's ``audio_start_ms``/``audio_end_ms``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from media_host.local_realtime.audio import BYTES_PER_MS
from media_host.local_realtime.errors import ProtocolError, new_id
from media_host.local_realtime.session_config import SEMANTIC_SILENCE_MS
from media_host.local_realtime.vad import StreamingVad

_SAMPLES_PER_MS = 24
_MIN_COMMIT_MS = 100
_IDLE_KEEP_MS = 500  # audio kept before a VAD start (covers the start window + prefix padding)


@dataclass(frozen=True)
class SpeechStart:
    """VAD opened a turn; ``audio_start_ms`` already includes the prefix padding."""

    item_id: str
    audio_start_ms: int


@dataclass(frozen=True)
class SpeechStop:
    """VAD closed a turn; ``pcm`` is the turn's audio (from ``audio_start_ms`` to here)."""

    item_id: str
    audio_end_ms: int
    pcm: bytes


class InputAudioBuffer:
    """Uncommitted input audio plus the VAD that segments it.

    Args:
        max_buffer_ms: Uncommitted audio kept when VAD is off (oldest dropped beyond).
        max_utterance_ms: Longest VAD turn before it is closed anyway.
    """

    def __init__(self, max_buffer_ms: int, max_utterance_ms: int) -> None:
        self._max_buffer_ms = max_buffer_ms
        self._max_utterance_ms = max_utterance_ms
        self._buffer = bytearray()
        self._buffer_start = 0  # session-timeline sample index of _buffer[0]
        self._timeline = 0  # samples appended during the session
        self._detection: dict[str, Any] | None = None
        self._vad: StreamingVad | None = None
        self._speech_item_id: str | None = None
        self._speech_start_ms = 0

    def configure(self, turn_detection: dict[str, Any] | None) -> None:
        """Apply a (validated, defaults-filled) ``turn_detection``; restarts the VAD."""
        self._detection = turn_detection
        self._speech_item_id = None
        if turn_detection is None:
            self._vad = None
            return
        if turn_detection["type"] == "semantic_vad":
            threshold, silence = 0.5, SEMANTIC_SILENCE_MS[turn_detection["eagerness"]]
        else:
            threshold = turn_detection["threshold"]
            silence = turn_detection["silence_duration_ms"]
        self._vad = StreamingVad(
            threshold, silence, self._max_utterance_ms, self._timeline // _SAMPLES_PER_MS
        )

    def append(self, pcm: bytes) -> list[SpeechStart | SpeechStop]:
        """Add PCM16 audio; returns the turn boundaries it completes, in order."""
        self._buffer += pcm
        self._timeline += len(pcm) // 2
        signals: list[SpeechStart | SpeechStop] = []
        if self._vad is not None:
            for edge in self._vad.feed(pcm):
                if edge.kind == "start":
                    signals.append(self._start(edge.at_ms))
                else:
                    signals.append(self._stop(edge.at_ms))
        self._bound()
        return signals

    def commit(self) -> tuple[str, bytes]:
        """Take everything buffered as one user turn (manual ``input_audio_buffer.commit``).

        Returns:
            The item id (the open VAD turn's id if speech had started) and the audio.

        Raises:
            ProtocolError: Less than 100 ms buffered (``input_audio_buffer_commit_empty``).
        """
        buffered_ms = len(self._buffer) / BYTES_PER_MS
        if buffered_ms < _MIN_COMMIT_MS:
            raise ProtocolError(
                "Error committing input audio buffer: buffer too small. Expected at least "
                f"{_MIN_COMMIT_MS}ms of audio, but buffer only has {buffered_ms:.2f}ms of audio.",
                "input_audio_buffer_commit_empty",
                None,
            )
        item_id = self._speech_item_id or new_id("item")
        pcm = bytes(self._buffer)
        self.clear()
        return item_id, pcm

    def clear(self) -> None:
        """Drop all uncommitted audio and any open VAD turn."""
        self._buffer_start = self._timeline
        self._buffer.clear()
        self.configure(self._detection)

    def _prefix_padding_ms(self) -> int:
        return int((self._detection or {}).get("prefix_padding_ms", 300))

    def _start(self, at_ms: int) -> SpeechStart:
        buffer_start_ms = -(-self._buffer_start // _SAMPLES_PER_MS)
        self._speech_start_ms = max(buffer_start_ms, at_ms - self._prefix_padding_ms())
        self._speech_item_id = new_id("item")
        return SpeechStart(self._speech_item_id, self._speech_start_ms)

    def _stop(self, at_ms: int) -> SpeechStop:
        item_id = self._speech_item_id or new_id("item")
        self._speech_item_id = None
        start = max(0, self._speech_start_ms * _SAMPLES_PER_MS - self._buffer_start)
        end = max(0, min(at_ms * _SAMPLES_PER_MS, self._timeline) - self._buffer_start)
        pcm = bytes(self._buffer[start * 2 : end * 2])
        del self._buffer[: end * 2]
        self._buffer_start += end
        return SpeechStop(item_id, at_ms, pcm)

    def _bound(self) -> None:
        if self._vad is not None and self._speech_item_id is None:
            keep_ms = _IDLE_KEEP_MS + self._prefix_padding_ms()
        else:
            keep_ms = self._max_buffer_ms
        excess = len(self._buffer) - keep_ms * BYTES_PER_MS
        if excess > 0:
            excess += excess % 2
            del self._buffer[:excess]
            self._buffer_start += excess // 2
