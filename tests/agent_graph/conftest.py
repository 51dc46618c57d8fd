"""Helpers for driving whole interviews through the IntakeAgent facade."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest

from media_host.intake_agent.agent import IntakeAgent
from media_host.intake_agent.models import AgentTurn


@dataclass
class Interview:
    """Drives one session turn by turn and remembers every turn and pending question."""

    agent: IntakeAgent
    session_id: str
    turns: list[AgentTurn] = field(default_factory=list)
    pending_keys: list[str | None] = field(default_factory=list)
    reasked: set[str] = field(default_factory=set)  # asked again because a reply was unclear
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    async def start(self, language: str = "en") -> str:
        reply = await self.agent.start_session(self.session_id, language)
        await self._remember_pending()
        return reply.say

    async def say(self, text: str) -> AgentTurn:
        turn = await self.agent.handle_utterance(
            self.session_id, item_id=f"{self.session_id}-item-{next(self._ids)}", text=text
        )
        self.turns.append(turn)
        await self._remember_pending()
        return turn

    async def answer_until_end(self, answer: str, max_turns: int = 40) -> AgentTurn:
        for _ in range(max_turns):
            turn = await self.say(answer)
            if turn.reply.end_of_interview:
                return turn
        raise AssertionError(f"interview did not end within {max_turns} turns")

    async def values(self) -> dict[str, Any]:
        snapshot = await self.agent.graph.aget_state(
            {"configurable": {"thread_id": self.session_id}}
        )
        return dict(snapshot.values)

    async def _remember_pending(self) -> None:
        values = await self.values()
        pending = values.get("pending")
        self.pending_keys.append(pending["key"] if pending else None)
        self.reasked.update(values.get("reasked", []))

    def repeated_questions(self) -> list[str]:
        """Question keys pending after more than one turn (consent / complaint may repeat once,
        and a question whose reply did not answer it is asked once more)."""
        counts: dict[str, int] = {}
        for key in self.pending_keys:
            if key is not None:
                counts[key] = counts.get(key, 0) + 1
        allowed = {"consent": 2, "complaint": 2} | dict.fromkeys(self.reasked, 2)
        return [key for key, n in counts.items() if n > allowed.get(key, 1)]


@pytest.fixture
def agent() -> IntakeAgent:
    return IntakeAgent()


@pytest.fixture
def interview(agent: IntakeAgent, request: pytest.FixtureRequest) -> Interview:
    return Interview(agent=agent, session_id=f"s-{request.node.name[:40]}")
