"""Fixtures of the realtime bridge tests: replay servers and bridges wired to in-memory sinks."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest_asyncio

from media_host.realtime.bridge import RealtimeBridge
from media_host.realtime.settings import RealtimeSettings, ReconnectSettings
from tests.realtime.fakes import MemoryEvents, MemoryPlayback, ScriptedAgent
from tests.realtime.replay_server import ReplayServer, Step


class QuickRetry:
    """Retry policy without real backoff: `delay` seconds, `attempts` times."""

    def __init__(self, *, delay: float = 0.0, attempts: int = 3) -> None:
        self.delay = delay
        self.attempts = attempts
        self.asked: list[int] = []

    def delay_s(self, attempt: int) -> float | None:
        self.asked.append(attempt)
        return self.delay if attempt <= self.attempts else None


@dataclass
class Rig:
    server: ReplayServer
    bridge: RealtimeBridge
    agent: ScriptedAgent
    playback: MemoryPlayback
    events: MemoryEvents
    retry: QuickRetry


RigFactory = Callable[..., Awaitable[Rig]]


@pytest_asyncio.fixture(loop_scope="function")
async def rig() -> AsyncIterator[RigFactory]:
    made: list[Rig] = []

    async def make(
        scripts: list[list[Step]],
        agent: ScriptedAgent | None = None,
        *,
        retry: QuickRetry | None = None,
        start: bool = True,
        clock: Callable[[], float] = time.monotonic,
        events: MemoryEvents | None = None,
        **overrides: Any,
    ) -> Rig:
        server = await ReplayServer(scripts).start()
        settings = RealtimeSettings(
            mode="local",
            websocket_base_url=server.ws_base,
            reconnect=ReconnectSettings(),
            **overrides,
        )
        agent = agent or ScriptedAgent([])
        playback, events = MemoryPlayback(), events or MemoryEvents()
        retry = retry or QuickRetry()
        bridge = RealtimeBridge(
            settings=settings,
            session_id="s1",
            language="en",
            agent=agent,
            playback=playback,
            events=events,
            retry_policy=retry,
            clock=clock,
        )
        made.append(Rig(server, bridge, agent, playback, events, retry))
        if start:
            await bridge.start()
        return made[-1]

    yield make
    for r in made:
        await r.bridge.aclose()
        await r.server.aclose()
