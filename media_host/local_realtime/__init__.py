"""Offline realtime speech engine speaking the OpenAI/Azure GA Realtime WebSocket protocol.

Public API: :class:`LocalRealtimeServer` and :class:`LocalRealtimeSettings`.
"""

from media_host.local_realtime.server import LocalRealtimeServer
from media_host.local_realtime.settings import LocalRealtimeSettings

__all__ = ["LocalRealtimeServer", "LocalRealtimeSettings"]
