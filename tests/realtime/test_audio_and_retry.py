"""The audio outbox (chunking, drop-oldest) and the reconnect backoff policy."""

from __future__ import annotations

import asyncio
import random

import pytest

from media_host.realtime.audio_outbox import BYTES_PER_MS, AudioOutbox
from media_host.realtime.retry import ExponentialBackoff
from media_host.realtime.settings import ReconnectSettings


async def test_outbox_hands_out_fixed_chunks_and_keeps_the_remainder() -> None:
    box = AudioOutbox(chunk_ms=40, max_ms=1000)
    assert box.add(bytes(100 * BYTES_PER_MS)) == 0  # 100 ms → two 40 ms chunks + 20 ms
    assert [len(await box.next_chunk()) for _ in range(2)] == [40 * BYTES_PER_MS] * 2
    assert box.queued_ms == 0
    box.add(bytes(20 * BYTES_PER_MS))
    assert len(await asyncio.wait_for(box.next_chunk(), 1)) == 40 * BYTES_PER_MS


async def test_outbox_drops_the_oldest_audio_beyond_its_bound() -> None:
    box = AudioOutbox(chunk_ms=50, max_ms=200)
    for i in range(10):
        box.add(bytes([i]) * 50 * BYTES_PER_MS)
    assert box.queued_ms == 200
    first = await box.next_chunk()
    assert first[0] == 6  # chunks 0..5 were dropped, the newest 200 ms kept


async def test_outbox_waits_for_audio_and_takes_back_unsent_chunks() -> None:
    box = AudioOutbox(chunk_ms=20, max_ms=100)
    waiter = asyncio.ensure_future(box.next_chunk())
    await asyncio.sleep(0.01)
    assert not waiter.done()
    box.add(b"\x01\x00" * 480)
    chunk = await asyncio.wait_for(waiter, 1)
    box.push_back(chunk)
    assert await box.next_chunk() == chunk


def test_outbox_rejects_nonsense_bounds() -> None:
    with pytest.raises(ValueError):
        AudioOutbox(chunk_ms=100, max_ms=50)


def test_backoff_is_immediate_first_then_jittered_exponential_and_bounded() -> None:
    policy = ExponentialBackoff(
        ReconnectSettings(initial_delay_s=0.5, max_delay_s=4.0, max_attempts=6),
        rng=random.Random(7),
    )
    assert policy.delay_s(1) == 0.0
    caps = {2: 0.5, 3: 1.0, 4: 2.0, 5: 4.0, 6: 4.0}
    for attempt, cap in caps.items():
        delays = [policy.delay_s(attempt) for _ in range(50)]
        assert all(d is not None and 0 <= d <= cap for d in delays)
        assert max(d for d in delays if d is not None) > cap / 2  # jitter spans the range
    assert policy.delay_s(7) is None
