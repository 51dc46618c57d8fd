"""Which session status may follow which: one table, checked by every writer of `status`.

``created`` is only ever the first state. The live states (connecting, connected, listening,
agent_speaking) may follow each other freely except back to ``created`` (an ICE restart goes back
to ``connecting``; the agent alternates listening/agent_speaking). Every live state may end in any
terminal state. Terminal states (completed, failed, expired, ended) have no successors: once a
session is over, nothing reopens it.

``reconnecting`` (the call's media host died) follows a live state; only a fresh offer
(``connecting``) or an end (a terminal state) may follow it. A host that is still alive but cut off
cannot report ``listening``/``agent_speaking`` over it, so the session waits for the new offer.
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

_RECONNECTING = SessionStatus.RECONNECTING

ALLOWED_TRANSITIONS: Mapping[SessionStatus, frozenset[SessionStatus]] = {
    SessionStatus.CREATED: _LIVE | TERMINAL_STATUSES,
    **{live: (_LIVE - {live}) | {_RECONNECTING} | TERMINAL_STATUSES for live in _LIVE},
    _RECONNECTING: frozenset({SessionStatus.CONNECTING}) | TERMINAL_STATUSES,
    **{terminal: frozenset() for terminal in TERMINAL_STATUSES},
}


def is_terminal(status: SessionStatus) -> bool:
    return status in TERMINAL_STATUSES


def can_transition(current: SessionStatus, to: SessionStatus) -> bool:
    """Whether ``current → to`` is allowed (a same-status "transition" is not; callers no-op it)."""
    return to in ALLOWED_TRANSITIONS[current]
