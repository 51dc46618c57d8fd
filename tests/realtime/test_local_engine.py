"""Integration: the bridge, the real intake agent and the offline local realtime engine.

No replay here: the engine speaks the GA protocol for real (eSpeak NG voice), the agent runs its
rules backend; the test types a patient sentence and checks the whole turn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from media_host.intake_agent.agent import IntakeAgent
from media_host.intake_agent.models import AgentReply, AgentTurn, IntakeSummary
from media_host.local_realtime.server import LocalRealtimeServer
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.realtime.bridge import RealtimeBridge
from media_host.realtime.settings import RealtimeSettings
from shared.events import EventType
from tests.realtime.fakes import MemoryEvents, MemoryPlayback


class RecordingAgent:
    """Delegates to the real IntakeAgent and remembers what it answered (for assertions)."""

    def __init__(self, agent: IntakeAgent) -> None:
        self._agent = agent
        self.replies: list[AgentReply] = []

    async def start_session(self, session_id: str, language: str) -> AgentReply:
        reply = await self._agent.start_session(session_id, language)
        self.replies.append(reply)
        return reply

    async def handle_utterance(self, session_id: str, *, item_id: str, text: str) -> AgentTurn:
        turn = await self._agent.handle_utterance(session_id, item_id=item_id, text=text)
        self.replies.append(turn.reply)
        return turn

    async def realtime_instructions(self, session_id: str) -> str:
        return await self._agent.realtime_instructions(session_id)

    async def get_summary(self, session_id: str) -> Any:
        return await self._agent.get_summary(session_id)

    async def finish(self, session_id: str) -> IntakeSummary:
        return await self._agent.finish(session_id)

    def end_call(self, session_id: str) -> None:
        self._agent.end_call(session_id)

    def recovery_reply(self, language: str, reason: Any) -> AgentReply:
        return self._agent.recovery_reply(language, reason)


@pytest_asyncio.fixture(loop_scope="function")
async def engine() -> AsyncIterator[LocalRealtimeServer]:
    async with LocalRealtimeServer(LocalRealtimeSettings(mode="speech")) as server:
        yield server


def agent_finals(events: MemoryEvents) -> list[str]:
    return [c.text for c in events.of(EventType.TRANSCRIPT_CHUNK) if c.final and c.role == "agent"]


@pytest.mark.slow
async def test_typed_turn_through_the_local_engine(engine: LocalRealtimeServer) -> None:
    agent = RecordingAgent(IntakeAgent())
    playback, events = MemoryPlayback(), MemoryEvents()
    bridge = RealtimeBridge(
        settings=RealtimeSettings(websocket_base_url=engine.url),
        session_id="local-it-1",
        language="en",
        agent=agent,
        playback=playback,
        events=events,
    )
    try:
        await bridge.start()
        await events.wait_for(lambda ev: len(agent_finals(ev)) >= 1, timeout=60)
        greeting = agent.replies[0].say
        assert greeting and greeting in agent_finals(events)[0]

        item_id = await bridge.send_text("I have had a bad headache since yesterday.")
        await events.wait_for(lambda ev: len(agent_finals(ev)) >= 2, timeout=60)
        patient = [
            c for c in events.of(EventType.TRANSCRIPT_CHUNK) if c.final and c.role == "patient"
        ]
        assert [(c.item_id, c.text) for c in patient] == [
            (item_id, "I have had a bad headache since yesterday.")
        ]
        answer = agent.replies[1].say
        assert answer and answer in agent_finals(events)[1]
        # The engine's voice reached playback, and it is not silence.
        heard = sum(n for _, n in playback.pushed)
        assert heard > 24_000  # more than half a second of audio
        assert events.of(EventType.ERROR) == []
        sent = [e["type"] for e in engine.received_events]
        assert sent[0] == "session.update"
        assert "conversation.item.create" in sent
        assert sent.count("response.create") == 2
    finally:
        await bridge.aclose()
