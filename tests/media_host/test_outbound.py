"""PacedAudioTrack: pacing on the loop clock, silence when idle, bounded buffer, interrupt."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

from media_host.audio_io import BYTES_PER_FRAME_MODEL, PlaybackSink
from media_host.webrtc.outbound import PacedAudioTrack


def tone(ms: int, *, freq: float = 440.0, amplitude: int = 8000) -> bytes:
    t = np.arange(24 * ms) / 24_000
    return (np.sin(2 * np.pi * freq * t) * amplitude).astype("<i2").tobytes()


def frame_bytes(frame) -> bytes:
    return bytes(frame.planes[0])[: frame.samples * 2]


def test_track_is_a_playback_sink() -> None:
    assert isinstance(PacedAudioTrack(), PlaybackSink)


async def test_frames_are_paced_every_20_ms_without_drift() -> None:
    track = PacedAudioTrack()
    loop = asyncio.get_running_loop()
    times = []
    for _ in range(51):
        await track.recv()
        times.append(loop.time())
    intervals = np.diff(times)
    # 50 intervals of 20 ms: the total is anchored to the first frame, so jitter cannot add up.
    assert times[-1] - times[0] == pytest.approx(1.0, abs=0.015)
    assert np.median(intervals) == pytest.approx(0.020, abs=0.003)
    track.stop()


async def test_silence_when_idle_and_audio_when_pushed() -> None:
    track = PacedAudioTrack()
    first = await track.recv()
    assert first.sample_rate == 24_000 and first.samples == 480 and first.layout.name == "mono"
    assert frame_bytes(first) == bytes(BYTES_PER_FRAME_MODEL)
    audio = tone(100)
    track.push("item_a", audio)
    assert track.is_playing and track.buffered_ms == 100
    played = b"".join([frame_bytes(await track.recv()) for _ in range(5)])
    assert played == audio
    assert not track.is_playing
    assert frame_bytes(await track.recv()) == bytes(BYTES_PER_FRAME_MODEL)
    assert track.played_ms("item_a") == 100
    track.stop()


async def test_pts_advance_one_frame_per_recv() -> None:
    track = PacedAudioTrack()
    pts = [(await track.recv()).pts for _ in range(4)]
    assert pts == [0, 480, 960, 1440]
    track.stop()


async def test_partial_frames_are_padded_and_counted_exactly() -> None:
    track = PacedAudioTrack()
    await track.recv()
    track.push("item_a", tone(30))
    frames = [frame_bytes(await track.recv()) for _ in range(2)]
    assert frames[1][480:] == bytes(480)  # 10 ms of audio then 10 ms of padding
    cut = track.interrupt()
    assert cut.item_id == "item_a" and cut.played_ms == 30 and cut.received_ms == 30
    track.stop()


async def test_buffer_is_bounded() -> None:
    track = PacedAudioTrack(buffer_ms=1000)
    track.push("item_a", tone(700))
    track.push("item_a", tone(700))
    assert track.buffered_ms == 1000
    track.stop()


async def test_interrupt_drops_buffer_and_reports_played_not_received() -> None:
    track = PacedAudioTrack()
    await track.recv()
    track.push("item_a", tone(500))
    for _ in range(5):
        await track.recv()
    cut = track.interrupt()
    assert cut.item_id == "item_a"
    assert cut.played_ms == 100
    assert cut.received_ms == 500
    assert not track.is_playing
    assert frame_bytes(await track.recv()) == bytes(BYTES_PER_FRAME_MODEL)
    # Deltas of the interrupted item still in flight are ignored; the next item plays.
    track.push("item_a", tone(100))
    assert not track.is_playing
    track.push("item_b", tone(40))
    assert track.buffered_ms == 40
    track.stop()


async def test_interrupt_names_the_item_being_heard() -> None:
    track = PacedAudioTrack()
    await track.recv()
    track.push("item_a", tone(20))
    track.push("item_b", tone(100))
    await track.recv()  # item_a fully played
    await track.recv()  # 20 ms of item_b
    cut = track.interrupt()
    assert (cut.item_id, cut.played_ms, cut.received_ms) == ("item_b", 20, 100)
    assert track.played_ms("item_a") == 20


async def test_interrupt_before_any_audio() -> None:
    cut = PacedAudioTrack().interrupt()
    assert cut.item_id is None and cut.played_ms == 0 and cut.received_ms == 0


async def test_push_wakes_an_idle_track_immediately() -> None:
    track = PacedAudioTrack()
    await track.recv()
    await track.recv()
    loop = asyncio.get_running_loop()
    waiting = asyncio.create_task(track.recv())
    await asyncio.sleep(0.005)  # the track is now sleeping towards its next slot
    pushed_at = loop.time()
    track.push("item_a", tone(20))
    frame = await waiting
    assert loop.time() - pushed_at < 0.010
    assert frame_bytes(frame) == tone(20)
    track.stop()


async def test_idle_wakes_never_make_the_frame_rate_exceed_real_time() -> None:
    # Audio arriving "just in time" in 20 ms pieces, a little late for each slot: every frame
    # runs dry, then the next push wakes the track. The grid must not creep forward.
    track = PacedAudioTrack()
    loop = asyncio.get_running_loop()
    await track.recv()
    start = loop.time()
    frames = 0

    async def producer() -> None:
        for _ in range(60):
            await asyncio.sleep(0.027)
            track.push("item_a", tone(20))

    feeding = asyncio.create_task(producer())
    while loop.time() - start < 1.0:
        await track.recv()
        frames += 1
    await feeding
    # Frame n may lead its slot by at most one frame: never more than 50 + 1 frames per second.
    assert frames <= 51
    track.stop()


async def test_a_stalled_loop_skips_slots_instead_of_bursting() -> None:
    track = PacedAudioTrack(max_lag_ms=100)
    await track.recv()
    time.sleep(0.3)  # block the loop like a stall would
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(5):
        await track.recv()
    # Caught up in at most one immediate frame, then paced: ~4 x 20 ms, not ~0.
    assert loop.time() - start >= 0.06
    track.stop()


async def test_latency_observer_sees_fresh_audio_only() -> None:
    seen: list[tuple[float, bool]] = []
    track = PacedAudioTrack(
        latency_observer=lambda s, after_silence: seen.append((s, after_silence))
    )
    await track.recv()
    track.push("item_a", tone(40))
    track.push("item_a", tone(40))  # queued behind the first: not "added latency"
    for _ in range(5):
        await track.recv()  # 80 ms of audio, then a silent frame
    track.push("item_a", tone(30))  # a reply starts after silence
    await track.recv()
    await track.recv()  # 10 ms left: this frame runs dry
    track.push("item_a", tone(20))  # refills mid-stream
    await track.recv()
    assert [after for _, after in seen] == [True, True, False]
    assert all(0 <= s < 0.025 for s, _ in seen)
    track.stop()


async def test_stop_ends_recv() -> None:
    track = PacedAudioTrack()
    await track.recv()
    waiting = asyncio.create_task(track.recv())
    await asyncio.sleep(0.001)
    track.stop()
    with pytest.raises(MediaStreamError):
        await waiting
    track.push("item_a", tone(20))
    assert not track.is_playing
