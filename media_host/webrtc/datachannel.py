"""The data channel: events mirrored to the browser, typed patient text accepted from it.

Wire format (JSON text messages, both directions):

- host → browser: every session event in its client form (:meth:`shared.events.Event.wire`),
  sent as soon as the event log accepted it — the low-latency twin of the Functions event API;
  the browser de-duplicates by ``seq`` when it also polls. Refusals of browser messages are
  ``{"type": "error", "code": …, "message": …}`` (never carrying the refused text back).
- browser → host: ``{"type": "text", "text": "…"}`` — typed patient input (accessibility, and the
  fallback when audio fails).

Every inbound message is bounded: larger than ``max_message_bytes`` → ``message_too_large``; not
JSON / wrong shape / unknown type → ``invalid_message``; empty or too long text →
``invalid_text``. A refusal is answered on the channel and reported to the owner (which records
an ``error`` event); it never raises into aiortc.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.events import Event

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """Why a browser message was refused (no patient content inside)."""

    code: str
    message: str


TextHandler = Callable[[str], None]
RefusalHandler = Callable[[Refusal], None]


class DataChannelMirror:
    """Wraps one ``RTCDataChannel``: mirrors events out, validates typed text in.

    Args:
        channel: The aiortc data channel the browser opened.
        on_text: Called with accepted typed patient text (synchronously, from aiortc's callback;
            the owner schedules the real work).
        on_refusal: Called when a browser message was refused.
        max_message_bytes: Largest accepted inbound message (UTF-8 bytes).
        max_text_chars: Longest accepted typed text.
    """

    def __init__(
        self,
        channel: Any,
        *,
        on_text: TextHandler,
        on_refusal: RefusalHandler,
        max_message_bytes: int = 4096,
        max_text_chars: int = 2000,
    ) -> None:
        self._channel = channel
        self._on_text = on_text
        self._on_refusal = on_refusal
        self._max_message_bytes = max_message_bytes
        self._max_text_chars = max_text_chars
        channel.on("message", self.handle_message)

    @property
    def is_open(self) -> bool:
        return bool(self._channel.readyState == "open")

    def send_event(self, event: Event) -> None:
        """Mirror one event; silently skipped while the channel is not open (the browser can
        always catch up through the event API)."""
        self._send(event.wire())

    def handle_message(self, message: str | bytes) -> None:
        """Validate one browser message and dispatch it (aiortc's ``message`` callback)."""
        refusal = self._parse(message)
        if refusal is None:
            return
        self._send({"type": "error", "code": refusal.code, "message": refusal.message})
        self._on_refusal(refusal)

    def close(self) -> None:
        """Stop listening and close the channel."""
        self._channel.remove_all_listeners("message")
        if self._channel.readyState not in ("closing", "closed"):
            self._channel.close()

    def _parse(self, message: str | bytes) -> Refusal | None:
        size = len(message) if isinstance(message, bytes) else len(message.encode("utf-8"))
        if size > self._max_message_bytes:
            return Refusal(
                "message_too_large",
                f"data-channel message of {size} bytes exceeds {self._max_message_bytes}",
            )
        if isinstance(message, bytes):
            return Refusal("invalid_message", "binary messages are not accepted")
        try:
            body = json.loads(message)
        except ValueError:
            return Refusal("invalid_message", "message is not JSON")
        if not isinstance(body, dict) or body.get("type") != "text":
            return Refusal("invalid_message", 'expected {"type": "text", "text": "..."}')
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return Refusal("invalid_text", "text must be a non-empty string")
        if len(text) > self._max_text_chars:
            return Refusal("invalid_text", f"text longer than {self._max_text_chars} characters")
        self._on_text(text.strip())
        return None

    def _send(self, body: dict[str, Any]) -> None:
        if not self.is_open:
            return
        try:
            self._channel.send(json.dumps(body, separators=(",", ":")))
        except Exception:  # a channel closing under us is not the session's problem
            logger.debug("data-channel send failed", exc_info=True)
