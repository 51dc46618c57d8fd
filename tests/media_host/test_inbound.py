"""Inbound audio: 48 kHz stereo frames → one channel → streaming soxr → 24 kHz mono pcm16."""

from __future__ import annotations

import asyncio
import fractions

import numpy as np
import soxr
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame

from media_host.webrtc.inbound import InboundAudioPump, Pcm16Downsampler, first_channel

RATE_IN = 48_000


def stereo_frames(left: np.ndarray, right: np.ndarray, *, planar: bool = False) -> list[AudioFrame]:
    """20 ms frames shaped like aiortc's Opus decoder output (packed s16 stereo)."""
    frames = []
    for index, start in enumerate(range(0, len(left), 960)):
        l_part, r_part = left[start : start + 960], right[start : start + 960]
        if planar:
            planes = np.stack([l_part, r_part])
            frame = AudioFrame.from_ndarray(planes, format="s16p", layout="stereo")
        else:
            interleaved = np.empty(2 * len(l_part), dtype=np.int16)
            interleaved[0::2], interleaved[1::2] = l_part, r_part
            packed = interleaved.reshape(1, -1)
            frame = AudioFrame.from_ndarray(packed, format="s16", layout="stereo")
        frame.sample_rate = RATE_IN
        frame.pts = index * 960
        frame.time_base = fractions.Fraction(1, RATE_IN)
        frames.append(frame)
    return frames


def sine(freq: float, seconds: float, rate: int = RATE_IN, amplitude: float = 10_000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


def test_first_channel_of_packed_and_planar_frames() -> None:
    left, right = sine(1000, 0.02), sine(3000, 0.02)
    for planar in (False, True):
        (frame,) = stereo_frames(left, right, planar=planar)
        assert np.array_equal(first_channel(frame), left)


def test_tone_keeps_its_frequency_and_takes_one_channel() -> None:
    # Left carries 1 kHz, right 3 kHz: only the left channel may come through.
    left, right = sine(1000, 1.0), sine(3000, 1.0)
    downsampler = Pcm16Downsampler()
    out = b"".join(downsampler.convert(f) for f in stereo_frames(left, right)) + downsampler.flush()
    samples = np.frombuffer(out, dtype="<i2").astype(np.float64)
    assert abs(len(samples) - 24_000) <= 2
    assert abs(dominant_frequency(samples, 24_000) - 1000) < 2
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    freqs = np.fft.rfftfreq(len(samples), 1 / 24_000)
    at_3k = spectrum[np.argmin(np.abs(freqs - 3000))]
    assert at_3k < spectrum.max() * 1e-3


def test_streaming_is_stateful_so_chunk_boundaries_do_not_click() -> None:
    left = sine(1000, 0.5)
    downsampler = Pcm16Downsampler()
    streamed = b"".join(downsampler.convert(f) for f in stereo_frames(left, left))
    streamed += downsampler.flush()
    out = np.frombuffer(streamed, dtype="<i2").astype(np.float64)
    # Identical (to rounding) to resampling the whole signal in one go ...
    whole = soxr.resample(left, RATE_IN, 24_000, quality="LQ").astype(np.float64)
    n = min(len(out), len(whole))
    assert np.max(np.abs(out[:n] - whole[:n])) <= 2
    # ... and no sample step larger than a clean 1 kHz sine allows (a click would be far larger).
    steady = out[200:-200]
    max_step = 2 * np.pi * 1000 / 24_000 * 10_000
    assert np.max(np.abs(np.diff(steady))) <= max_step * 1.05


def test_a_stateless_resampler_would_click() -> None:
    # Control for the test above: resampling each 20 ms frame on its own breaks the waveform.
    left = sine(1000, 0.5)
    parts = [soxr.resample(left[i : i + 960], RATE_IN, 24_000) for i in range(0, len(left), 960)]
    out = np.concatenate(parts).astype(np.float64)
    max_step = 2 * np.pi * 1000 / 24_000 * 10_000
    assert np.max(np.abs(np.diff(out[200:-200]))) > max_step * 1.05


def test_24k_input_passes_through() -> None:
    samples = sine(500, 0.02, rate=24_000).reshape(1, -1)
    frame = AudioFrame.from_ndarray(samples, format="s16", layout="mono")
    frame.sample_rate = 24_000
    assert len(Pcm16Downsampler().convert(frame)) == 960


class _FrameTrack(MediaStreamTrack):
    kind = "audio"

    def __init__(self, frames: list[AudioFrame]) -> None:
        super().__init__()
        self._frames = list(frames)

    async def recv(self) -> AudioFrame:
        if not self._frames:
            raise MediaStreamError
        await asyncio.sleep(0)
        return self._frames.pop(0)


async def test_pump_feeds_small_chunks_and_stops_at_track_end() -> None:
    chunks: list[bytes] = []
    latencies: list[float] = []

    async def consume(pcm: bytes) -> None:
        chunks.append(pcm)

    left = sine(1000, 0.2)
    track = _FrameTrack(stereo_frames(left, left))
    pump = InboundAudioPump(track, consume, latency_observer=latencies.append)
    pump.start()
    for _ in range(100):
        if pump.frames == 10 and len(latencies) == 10:
            break
        await asyncio.sleep(0.005)
    await pump.stop()
    assert pump.frames == 10
    # One small chunk per frame (the resampler emits steadily, not in bursts).
    assert sum(1 for c in chunks if c) >= 9
    assert all(len(c) <= 1920 for c in chunks) and sum(map(len, chunks)) > 8000
    assert len(latencies) == 10 and max(latencies) < 0.05
