"""In-memory endpoints for bridge tests: playback sink, event sink, a scripted intake agent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from media_host.audio_io import PlaybackCut, pcm16_24k_ms
from media_host.intake_agent.models import (
    AgentReply,
    AgentTurn,
    Disposition,
    IntakeSummary,
    Level,
    RedFlagHit,
)
from shared.events import EventType, NewEvent

NOT_CAUGHT = "Sorry, I missed that. Please say it again."
LINE_DROPPED = "Sorry, the line dropped."


def reply(say: str, *, end: bool = False) -> AgentReply:
    return AgentReply(
        say=say, guidance="Warm, brief, one question.", phase="test", end_of_interview=end
    )


def red_flag(advice: str = "Call emergency services now.") -> RedFlagHit:
    return RedFlagHit(
        rule_id="chest_pain_acs",
        level=Level.EMERGENCY,
        title="Possible heart attack",
        advice=advice,
        rationale="Crushing chest pain radiating to the arm.",
        source="test rules",
    )


def summary(session_id: str = "s1") -> IntakeSummary:
    return IntakeSummary(
        session_id=session_id,
        language="en",
        chief_complaint="headache",
        disposition=Disposition(level=Level.NON_URGENT, advice="See your GP this week."),
        completed_at=datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
    )


def turn(
    say: str, *, flags: tuple[RedFlagHit, ...] = (), done: IntakeSummary | None = None
) -> AgentTurn:
    return AgentTurn(
        reply=reply(say, end=done is not None), new_red_flags=list(flags), summary=done
    )


class ScriptedAgent:
    """Implements IntakeAgentPort: answers utterances from a list, records what it was given."""

    def __init__(
        self, turns: list[AgentTurn], *, greeting: str = "Hello, what brings you in?"
    ) -> None:
        self._turns = list(turns)
        self.greeting = greeting
        self.utterances: list[tuple[str, str]] = []
        self.instructions_calls = 0
        self.finished = False
        self.calls_ended: list[str] = []

    async def start_session(self, session_id: str, language: str) -> AgentReply:
        return reply(self.greeting)

    async def handle_utterance(self, session_id: str, *, item_id: str, text: str) -> AgentTurn:
        self.utterances.append((item_id, text))
        if not self._turns:
            return turn("Could you tell me more?")
        return self._turns.pop(0)

    async def realtime_instructions(self, session_id: str) -> str:
        self.instructions_calls += 1
        return (
            "You are the voice of a triage intake assistant. "
            f"Utterances so far: {len(self.utterances)}."
        )

    async def get_summary(self, session_id: str) -> Any:
        return None

    async def finish(self, session_id: str) -> IntakeSummary:
        self.finished = True
        return summary(session_id)

    def end_call(self, session_id: str) -> None:
        self.calls_ended.append(session_id)

    def recovery_reply(self, language: str, reason: str) -> AgentReply:
        return reply({"not_caught": NOT_CAUGHT, "line_dropped": LINE_DROPPED}[reason])


class ToolAgent(ScriptedAgent):
    """A scripted agent that also offers one function tool."""

    def __init__(self, turns: list[AgentTurn]) -> None:
        super().__init__(turns)
        self.tool_calls: list[tuple[str, str]] = []

    async def realtime_tools(self, session_id: str) -> list[dict[str, Any]]:
        return [
            {
                "type": "function",
                "name": "lookup_clinic_hours",
                "description": "Opening hours of the patient's clinic.",
                "parameters": {"type": "object", "properties": {"day": {"type": "string"}}},
            }
        ]

    async def call_tool(self, session_id: str, *, name: str, arguments: str) -> str:
        self.tool_calls.append((name, arguments))
        return '{"open": "08:00", "close": "18:00"}'


class MemoryPlayback:
    """PlaybackSink in memory. `playing` is set by the test; `played_ms` says how much of the
    current item was heard when interrupted (None: all that was received)."""

    def __init__(self) -> None:
        self.pushed: list[tuple[str, int]] = []
        self.received: dict[str, int] = {}
        self.current: str | None = None
        self.playing = False
        self.heard_ms: int | None = None
        self.interrupts: list[PlaybackCut] = []

    def push(self, item_id: str, pcm16_24k: bytes) -> None:
        self.pushed.append((item_id, len(pcm16_24k)))
        self.received[item_id] = self.received.get(item_id, 0) + len(pcm16_24k)
        self.current = item_id

    def interrupt(self) -> PlaybackCut:
        received = pcm16_24k_ms(self.received.get(self.current, 0)) if self.current else 0
        played = received if self.heard_ms is None else self.heard_ms
        cut = PlaybackCut(item_id=self.current, played_ms=played, received_ms=received)
        self.interrupts.append(cut)
        self.playing = False
        return cut

    def played_ms(self, item_id: str) -> int:
        return pcm16_24k_ms(self.received.get(item_id, 0))

    @property
    def is_playing(self) -> bool:
        return self.playing


class MemoryEvents:
    """EventSink in memory, with waiting helpers."""

    def __init__(self) -> None:
        self.events: list[NewEvent] = []
        self._changed = asyncio.Event()

    async def emit(self, event: NewEvent) -> None:
        self.events.append(event)
        self._changed.set()

    def of(self, kind: EventType) -> list[Any]:
        return [e.data for e in self.events if e.type == kind]

    async def wait_for(
        self, predicate: Callable[[MemoryEvents], bool], timeout: float = 5.0
    ) -> None:
        async with asyncio.timeout(timeout):
            while not predicate(self):
                self._changed.clear()
                await self._changed.wait()
