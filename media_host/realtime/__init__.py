"""The realtime bridge: a call's audio and the intake agent ↔ a GA Realtime model session.

Modules: ``settings`` (configuration), ``connect`` (SDK client; local vs Azure URL and auth),
``events`` (wire formats), ``transcripts`` (conversation order), ``session_logic`` (the pure
state machine), ``bridge`` (the I/O shell), ``retry`` (reconnect policy), ``errors``.
See docs/realtime-bridge.md.
"""

from media_host.realtime.bridge import RealtimeBridge
from media_host.realtime.errors import (
    ErrorKind,
    ModelConnectionError,
    RealtimeBridgeError,
    RealtimeConfigError,
    SessionClosedError,
)
from media_host.realtime.ports import IntakeAgentPort
from media_host.realtime.settings import RealtimeSettings, ReconnectSettings, TurnDetectionSettings

__all__ = [
    "ErrorKind",
    "IntakeAgentPort",
    "ModelConnectionError",
    "RealtimeBridge",
    "RealtimeBridgeError",
    "RealtimeConfigError",
    "RealtimeSettings",
    "ReconnectSettings",
    "SessionClosedError",
    "TurnDetectionSettings",
]
