"""Patient audio on its way to the model: fixed-size chunks in a bounded, drop-oldest queue.

The WebRTC side hands audio in whatever frame size it has; the model gets
``input_audio_buffer.append`` events of ``chunk_ms``. While the connection is down the queue
keeps at most ``max_ms`` of the most recent audio — what the patient said just before the model
came back matters, a backlog of older audio would only add delay.
"""

from __future__ import annotations

import asyncio
from collections import deque

BYTES_PER_MS = 48  # 24 kHz mono s16le


class AudioOutbox:
    """Chunks and buffers pcm16 24 kHz audio. Adding never waits.

    Args:
        chunk_ms: Size of each chunk handed out (one append event).
        max_ms: Most audio kept queued; the oldest chunks are dropped beyond it.
    """

    def __init__(self, *, chunk_ms: int, max_ms: int) -> None:
        if chunk_ms <= 0 or max_ms < chunk_ms:
            raise ValueError("need 0 < chunk_ms <= max_ms")
        self._chunk_bytes = chunk_ms * BYTES_PER_MS
        self._max_bytes = max_ms * BYTES_PER_MS
        self._partial = bytearray()
        self._chunks: deque[bytes] = deque()
        self._queued_bytes = 0
        self._ready = asyncio.Event()

    @property
    def queued_ms(self) -> int:
        return self._queued_bytes // BYTES_PER_MS

    def add(self, pcm16_24k: bytes) -> int:
        """Queue audio; returns how many bytes of old audio were dropped to make room."""
        if len(pcm16_24k) % 2:
            pcm16_24k = pcm16_24k[:-1]  # a torn sample would shift every later one
        self._partial += pcm16_24k
        while len(self._partial) >= self._chunk_bytes:
            self._chunks.append(bytes(self._partial[: self._chunk_bytes]))
            del self._partial[: self._chunk_bytes]
            self._queued_bytes += self._chunk_bytes
        dropped = 0
        while self._queued_bytes > self._max_bytes:
            old = self._chunks.popleft()
            self._queued_bytes -= len(old)
            dropped += len(old)
        if self._chunks:
            self._ready.set()
        return dropped

    async def next_chunk(self) -> bytes:
        """Wait for and take the oldest chunk."""
        while not self._chunks:
            self._ready.clear()
            await self._ready.wait()
        chunk = self._chunks.popleft()
        self._queued_bytes -= len(chunk)
        return chunk

    def push_back(self, chunk: bytes) -> None:
        """Return a chunk that could not be sent (it goes first again)."""
        self._chunks.appendleft(chunk)
        self._queued_bytes += len(chunk)
        self._ready.set()
