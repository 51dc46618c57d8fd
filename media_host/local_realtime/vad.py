"""Streaming server-side voice activity detection (WebRTC VAD) on the 24 kHz input timeline.

Pure computation (no I/O): feed PCM16 as it is appended, receive speech start/stop edges in
session-timeline milliseconds. Audio is resampled to 16 kHz for webrtcvad's 20 ms frames.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

import numpy as np
import soxr
import webrtcvad

from media_host.local_realtime.audio import SAMPLE_RATE

_VAD_RATE = 16_000
_FRAME_MS = 20
_FRAME_SAMPLES = _VAD_RATE * _FRAME_MS // 1000
_START_WINDOW_FRAMES = 8  # 160 ms window …
_START_VOICED_FRAMES = 5  # … with ≥100 ms voiced starts speech (ignores clicks)
_MIN_RMS_DBFS = -55.0  # quieter frames never count as speech (line noise, dither)


@dataclass(frozen=True)
class VadEdge:
    """A speech boundary.

    Attributes:
        kind: ``start`` or ``stop``.
        at_ms: Session-timeline ms: first voiced frame (start) or when the silence run
            reached ``silence_duration_ms`` (stop), like the hosted service's ``audio_end_ms``.
    """

    kind: Literal["start", "stop"]
    at_ms: int


def aggressiveness_for_threshold(threshold: float) -> int:
    """Map the API's 0..1 activation threshold onto webrtcvad's 0..3 aggressiveness."""
    return min(3, max(0, int(threshold * 4)))


class StreamingVad:
    """Detects speech start/stop in a stream of 24 kHz PCM16.

    Args:
        threshold: API threshold 0..1 (higher = needs clearer speech).
        silence_duration_ms: Silence that ends a turn.
        max_utterance_ms: Force a stop after this much continuous speech.
        start_ms: Session-timeline position of the first sample that will be fed.
    """

    def __init__(
        self,
        threshold: float,
        silence_duration_ms: int,
        max_utterance_ms: int,
        start_ms: int = 0,
    ) -> None:
        self._vad = webrtcvad.Vad(aggressiveness_for_threshold(threshold))
        self._silence_frames = max(1, -(-silence_duration_ms // _FRAME_MS))
        self._max_utterance_frames = max(1, max_utterance_ms // _FRAME_MS)
        self._resampler = soxr.ResampleStream(SAMPLE_RATE, _VAD_RATE, 1, dtype="int16")
        self._pending = np.zeros(0, dtype=np.int16)
        self._frame_index = 0
        self._origin_ms = start_ms
        self._recent: deque[bool] = deque(maxlen=_START_WINDOW_FRAMES)
        self._in_speech = False
        self._silent_run = 0
        self._speech_frames = 0

    @property
    def in_speech(self) -> bool:
        """Whether a speech segment is currently open."""
        return self._in_speech

    def feed(self, pcm: bytes) -> list[VadEdge]:
        """Process appended audio and return the edges it completes, in order."""
        samples = np.frombuffer(pcm, dtype="<i2")
        resampled = self._resampler.resample_chunk(samples)
        self._pending = np.concatenate([self._pending, resampled.astype(np.int16)])
        edges: list[VadEdge] = []
        while len(self._pending) >= _FRAME_SAMPLES:
            frame = self._pending[:_FRAME_SAMPLES]
            self._pending = self._pending[_FRAME_SAMPLES:]
            edge = self._process_frame(frame)
            if edge is not None:
                edges.append(edge)
        return edges

    def _frame_ms(self, index: int) -> int:
        return self._origin_ms + index * _FRAME_MS

    def _process_frame(self, frame: np.ndarray) -> VadEdge | None:
        index = self._frame_index
        self._frame_index += 1
        voiced = _loud_enough(frame) and self._vad.is_speech(frame.tobytes(), _VAD_RATE)
        self._recent.append(voiced)
        if not self._in_speech:
            if sum(self._recent) >= _START_VOICED_FRAMES:
                first_voiced = index - (len(self._recent) - 1) + list(self._recent).index(True)
                self._in_speech = True
                self._silent_run = 0
                self._speech_frames = index - first_voiced + 1
                return VadEdge("start", self._frame_ms(first_voiced))
            return None
        self._speech_frames += 1
        self._silent_run = 0 if voiced else self._silent_run + 1
        if self._silent_run >= self._silence_frames or (
            self._speech_frames >= self._max_utterance_frames
        ):
            self._in_speech = False
            self._recent.clear()
            return VadEdge("stop", self._frame_ms(index + 1))
        return None


def _loud_enough(frame: np.ndarray) -> bool:
    rms = float(np.sqrt(np.mean(frame.astype(np.float64) ** 2)))
    return rms > 0 and 20.0 * np.log10(rms / 32768.0) > _MIN_RMS_DBFS
