"""Which session status may follow which: one table, checked by every writer of `status`.

``created`` is only ever the first state. The live states (connecting, connected, listening,
agent_speaking) may follow each other freely except back to ``created`` (an ICE restart goes back
to ``connecting``; the agent alternates listening/agent_speaking). Every live state may end in any
terminal state. Terminal states (completed, failed, expired, ended) have no successors: once a
session is over, nothing reopens it.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.events import TERMINAL_STATUSES, SessionStatus

_LIVE = frozenset(
    {
        SessionStatus.CONNECTING,
        SessionStatus.CONNECTED,
        SessionStatus.LISTENING,
        SessionStatus.AGENT_SPEAKING,
    }
)

ALLOWED_TRANSITIONS: Mapping[SessionStatus, frozenset[SessionStatus]] = {
    SessionStatus.CREATED: _LIVE | TERMINAL_STATUSES,
    **{live: (_LIVE - {live}) | TERMINAL_STATUSES for live in _LIVE},
    **{terminal: frozenset() for terminal in TERMINAL_STATUSES},
}


def is_terminal(status: SessionStatus) -> bool:
    return status in TERMINAL_STATUSES


def can_transition(current: SessionStatus, to: SessionStatus) -> bool:
    """Whether ``current → to`` is allowed (a same-status "transition" is not; callers no-op it)."""
    return to in ALLOWED_TRANSITIONS[current]
