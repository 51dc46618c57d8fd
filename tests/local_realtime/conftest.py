"""Fixtures for the local realtime engine tests: a real server and the real openai SDK client."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest_asyncio
from openai import AsyncOpenAI

from media_host.local_realtime import LocalRealtimeServer, LocalRealtimeSettings


@pytest_asyncio.fixture(loop_scope="function")  # the server must live on the test's loop
async def server() -> AsyncIterator[LocalRealtimeServer]:
    """A speech-mode engine on a free port (fast output pacing keeps tests short)."""
    async with LocalRealtimeServer(LocalRealtimeSettings(output_pace_factor=0)) as instance:
        yield instance


def sdk_client(server: LocalRealtimeServer, api_key: str = "sk-local-test") -> AsyncOpenAI:
    """The unmodified openai SDK pointed at the local engine."""
    return AsyncOpenAI(api_key=api_key, websocket_base_url=server.url)


async def collect_until(conn: Any, stop: Callable[[Any], bool], timeout: float = 30.0) -> list[Any]:
    """Receive SDK events until ``stop(event)`` is true (inclusive) or fail on timeout."""
    events: list[Any] = []

    async def run() -> None:
        while True:
            event = await conn.recv()
            events.append(event)
            if stop(event):
                return

    try:
        await asyncio.wait_for(run(), timeout)
    except TimeoutError:
        types = [e.type for e in events]
        raise AssertionError(f"timed out; received {types}") from None
    return events


async def collect_until_all(conn: Any, kinds: set[str], timeout: float = 60.0) -> list[Any]:
    """Receive events until every type in ``kinds`` was seen (their order may vary)."""
    seen: set[str] = set()

    def all_seen(event: Any) -> bool:
        seen.add(event.type)
        return kinds <= seen

    return await collect_until(conn, all_seen, timeout)


async def next_event(conn: Any) -> Any:
    """The next SDK event, typed loosely (the SDK's event union is too wide for attribute use)."""
    return await conn.recv()


async def append_audio(conn: Any, pcm: bytes, chunk_ms: int = 100, realtime: float = 0) -> None:
    """Stream PCM16 as appends of ``chunk_ms``; ``realtime`` > 0 sleeps chunk/realtime seconds."""
    step = 48 * chunk_ms
    for offset in range(0, len(pcm), step):
        await conn.input_audio_buffer.append(
            audio=base64.b64encode(pcm[offset : offset + step]).decode()
        )
        if realtime > 0:
            await asyncio.sleep(chunk_ms / 1000 / realtime)


def types_of(events: list[Any]) -> list[str]:
    """Event type names, in order."""
    return [event.type for event in events]


__all__ = [
    "LocalRealtimeServer",
    "LocalRealtimeSettings",
    "append_audio",
    "collect_until",
    "collect_until_all",
    "next_event",
    "sdk_client",
    "types_of",
]
