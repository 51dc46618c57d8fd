"""What the bridge needs from the intake agent: its public interface, nothing more.

:class:`IntakeAgentPort` is structurally satisfied by
``media_host.intake_agent.agent.IntakeAgent``. An agent that also offers tools to the realtime
model implements :class:`RealtimeToolProvider`; the bridge checks for it at run time.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, runtime_checkable

from media_host.intake_agent.models import AgentReply, AgentTurn, IntakeSummary


class IntakeAgentPort(Protocol):
    """The intake agent as the bridge sees it. Every method may take a while (extraction, storage);
    the bridge never awaits one on its receive path."""

    async def start_session(self, session_id: str, language: str) -> AgentReply: ...

    async def handle_utterance(self, session_id: str, *, item_id: str, text: str) -> AgentTurn: ...

    async def realtime_instructions(self, session_id: str) -> str: ...

    async def get_summary(self, session_id: str) -> Any: ...

    async def finish(self, session_id: str) -> IntakeSummary: ...

    def end_call(self, session_id: str) -> None:
        """The session's call on this host is over (ended, handed over or failed): the agent
        stops keeping the session's state in memory between turns. No I/O."""
        ...

    def recovery_reply(
        self, language: str, reason: Literal["not_caught", "line_dropped"]
    ) -> AgentReply:
        """The agent's sentence for a failure of the line (no session state, no I/O):
        ``not_caught`` asks the patient to say it again, ``line_dropped`` apologises for a
        dropped model connection (the bridge follows it with the pending question)."""
        ...


@runtime_checkable
class RealtimeToolProvider(Protocol):
    """Optional: tools the agent lets the realtime model call (function tools, GA shape)."""

    async def realtime_tools(self, session_id: str) -> list[dict[str, Any]]: ...

    async def call_tool(self, session_id: str, *, name: str, arguments: str) -> str: ...
