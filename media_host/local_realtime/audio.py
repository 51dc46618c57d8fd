"""PCM16 helpers shared by the engine: sizes, base64 and resampling."""

from __future__ import annotations

import base64
import binascii

import numpy as np
import soxr

SAMPLE_RATE = 24_000  # GA `audio/pcm` is always 24 kHz mono little-endian int16
BYTES_PER_SAMPLE = 2
BYTES_PER_MS = SAMPLE_RATE * BYTES_PER_SAMPLE // 1000  # 48


class AudioDecodeError(ValueError):
    """Raised when a client audio payload is not valid base64 PCM16."""


def decode_pcm16_base64(payload: str, max_bytes: int) -> bytes:
    """Decode a base64 PCM16 payload, validating alignment and size.

    Args:
        payload: The base64 text from the client event.
        max_bytes: Largest accepted decoded size.

    Returns:
        The raw little-endian int16 bytes.

    Raises:
        AudioDecodeError: Not base64, odd length, or too large.
    """
    if len(payload) > (max_bytes * 4) // 3 + 4:
        raise AudioDecodeError("audio payload too large")
    try:
        pcm = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AudioDecodeError("audio is not valid base64") from exc
    if len(pcm) % BYTES_PER_SAMPLE:
        raise AudioDecodeError("audio/pcm must contain whole 16-bit samples")
    return pcm


def encode_base64(pcm: bytes) -> str:
    """Base64-encode raw bytes as ASCII text."""
    return base64.b64encode(pcm).decode("ascii")


def pcm_ms(pcm_len_bytes: int) -> int:
    """Duration in whole milliseconds of ``pcm_len_bytes`` of 24 kHz PCM16."""
    return pcm_len_bytes // BYTES_PER_MS


def ms_to_bytes(ms: int) -> int:
    """Byte length of ``ms`` milliseconds of 24 kHz PCM16."""
    return max(0, ms) * BYTES_PER_MS


def pcm16_to_float32(pcm: bytes) -> np.ndarray:
    """Convert PCM16 bytes to float32 samples in [-1, 1)."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def resample_pcm16(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Resample a whole PCM16 mono clip with soxr (high quality)."""
    if from_rate == to_rate or not pcm:
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2")
    out: np.ndarray = np.asarray(soxr.resample(samples, from_rate, to_rate, quality="HQ"))
    return out.astype("<i2").tobytes()
