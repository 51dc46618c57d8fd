"""Offline text-to-speech with eSpeak NG, loaded in-process from the ``espeakng-loader`` wheel.

libespeak-ng keeps global state (one voice, one callback), so every synthesis holds one
process-wide lock; callers run :meth:`EspeakSynthesizer.synthesize` in a worker thread.
"""

from __future__ import annotations

import ctypes
import re
import threading
from dataclasses import dataclass

import espeakng_loader

from media_host.local_realtime.audio import SAMPLE_RATE, resample_pcm16

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_ESPEAK_RATE = 1
_POS_CHARACTER = 1
_ESPEAK_CHARS_UTF8 = 1
_EE_OK = 0
_MAX_TEXT_CHARS = 20_000
_VOICE_NAME = re.compile(r"^[A-Za-z0-9_+\-]{1,40}$")

# int callback(short *wav, int numsamples, espeak_EVENT *events)
_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class SpeechSynthesisError(RuntimeError):
    """eSpeak NG could not be loaded or failed to synthesise."""


@dataclass(frozen=True)
class _Engine:
    lib: ctypes.CDLL
    native_rate: int


_engine: _Engine | None = None
_engine_lock = threading.Lock()  # guards loading AND every synthesis (global C state)


def _load_engine() -> _Engine:
    global _engine
    if _engine is not None:
        return _engine
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.restype = ctypes.c_int
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.restype = ctypes.c_int
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_SetSynthCallback.restype = None
    lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    lib.espeak_Synth.restype = ctypes.c_int
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_uint,
        ctypes.c_void_p,
        ctypes.c_void_p,
    ]
    lib.espeak_Synchronize.restype = ctypes.c_int
    data_path = espeakng_loader.get_data_path().encode()
    rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0)
    if rate <= 0:
        raise SpeechSynthesisError("espeak_Initialize failed")
    _engine = _Engine(lib=lib, native_rate=rate)
    return _engine


class EspeakSynthesizer:
    """Synthesises text to 24 kHz mono PCM16 with eSpeak NG.

    Args:
        rate_wpm: Speaking rate in words per minute.
    """

    def __init__(self, rate_wpm: int = 165) -> None:
        self._rate_wpm = rate_wpm

    def synthesize(self, text: str, voice: str = "en-us") -> bytes:
        """Synthesise ``text`` (blocking; call from a worker thread).

        Args:
            text: Plain text, at most 20 000 characters.
            voice: eSpeak NG voice name, e.g. ``en-us`` or ``es``.

        Returns:
            24 kHz mono little-endian PCM16 (empty for empty text).

        Raises:
            SpeechSynthesisError: Unknown voice or synthesis failure.
            ValueError: Text too long or malformed voice name.
        """
        if len(text) > _MAX_TEXT_CHARS:
            raise ValueError("text too long for one synthesis")
        if not _VOICE_NAME.match(voice):
            raise ValueError("malformed voice name")
        if not text.strip():
            return b""
        chunks: list[bytes] = []

        def on_samples(wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int) -> int:
            if wav and count > 0:
                chunks.append(ctypes.string_at(wav, count * 2))
            return 0  # 0 = continue synthesis

        callback = _SynthCallback(on_samples)
        encoded = text.encode("utf-8") + b"\0"
        with _engine_lock:
            engine = _load_engine()
            if engine.lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
                raise SpeechSynthesisError(f"unknown eSpeak NG voice {voice!r}")
            engine.lib.espeak_SetParameter(_ESPEAK_RATE, self._rate_wpm, 0)
            engine.lib.espeak_SetSynthCallback(callback)
            status = engine.lib.espeak_Synth(
                encoded, len(encoded), 0, _POS_CHARACTER, 0, _ESPEAK_CHARS_UTF8, None, None
            )
            engine.lib.espeak_Synchronize()
            native_rate = engine.native_rate
        if status != _EE_OK:
            raise SpeechSynthesisError(f"espeak_Synth failed with status {status}")
        return resample_pcm16(b"".join(chunks), native_rate, SAMPLE_RATE)


_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


def split_sentences(text: str, max_chars: int = 300) -> list[str]:
    """Split text into sentence-sized pieces so the first audio is ready sooner.

    Args:
        text: Text to speak.
        max_chars: Longest piece; longer sentences are split at word boundaries.

    Returns:
        Non-empty pieces whose concatenation with single spaces is the normalised text.
    """
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        current = ""
        for word in sentence.split(" "):
            if current and len(current) + 1 + len(word) > max_chars:
                pieces.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        if current:
            pieces.append(current)
    return pieces
