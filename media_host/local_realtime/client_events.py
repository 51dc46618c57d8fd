"""Envelope validation of GA client events (type, event_id and top-level fields)."""

from __future__ import annotations

from typing import Any

from media_host.local_realtime.errors import ProtocolError, invalid_value, missing
from media_host.local_realtime.schema import integer, nullable, obj, string

CLIENT_EVENT_TYPES = (
    "session.update",
    "session.close",
    "input_audio_buffer.append",
    "session.input_audio_buffer.append",
    "input_audio_buffer.commit",
    "input_audio_buffer.clear",
    "conversation.item.create",
    "conversation.item.truncate",
    "conversation.item.delete",
    "conversation.item.retrieve",
    "response.create",
    "response.cancel",
)
_EVENT_ID = string(128)


def _checked_later(value: Any, _param: str) -> Any:
    """Nested payloads (session, item, response) are validated by their own schemas."""
    return value


_ENVELOPES = {
    "session.update": obj({"type": string(), "event_id": _EVENT_ID, "session": _checked_later}),
    "session.close": obj({"type": string(), "event_id": _EVENT_ID}),
    "input_audio_buffer.append": obj(
        {"type": string(), "event_id": _EVENT_ID, "audio": string(64 * 1024 * 1024)},
        required=("audio",),
    ),
    "input_audio_buffer.commit": obj({"type": string(), "event_id": _EVENT_ID}),
    "input_audio_buffer.clear": obj({"type": string(), "event_id": _EVENT_ID}),
    "conversation.item.create": obj(
        {
            "type": string(),
            "event_id": _EVENT_ID,
            "previous_item_id": nullable(string(64)),
            "item": _checked_later,
        },
        required=("item",),
    ),
    "conversation.item.truncate": obj(
        {
            "type": string(),
            "event_id": _EVENT_ID,
            "item_id": string(64),
            "content_index": integer(0, 1_000),
            "audio_end_ms": integer(0, 24 * 3600 * 1000),
        },
        required=("item_id", "content_index", "audio_end_ms"),
    ),
    "conversation.item.delete": obj(
        {"type": string(), "event_id": _EVENT_ID, "item_id": string(64)}, required=("item_id",)
    ),
    "conversation.item.retrieve": obj(
        {"type": string(), "event_id": _EVENT_ID, "item_id": string(64)}, required=("item_id",)
    ),
    "response.create": obj({"type": string(), "event_id": _EVENT_ID, "response": _checked_later}),
    "response.cancel": obj({"type": string(), "event_id": _EVENT_ID, "response_id": string(64)}),
}
_ENVELOPES["session.input_audio_buffer.append"] = _ENVELOPES["input_audio_buffer.append"]


def validate_envelope(event: Any) -> str:
    """Check a parsed client frame's envelope.

    Args:
        event: The JSON value of a text frame.

    Returns:
        The canonical event type (``session.input_audio_buffer.append`` → the plain name).

    Raises:
        ProtocolError: Not an object, missing/unknown ``type``, or bad top-level fields.
    """
    if not isinstance(event, dict):
        raise ProtocolError("Invalid event: expected a JSON object.", "invalid_event", None)
    if "type" not in event:
        raise missing("type")
    kind = event["type"]
    if not isinstance(kind, str) or kind not in _ENVELOPES:
        raise invalid_value(kind, list(CLIENT_EVENT_TYPES), "type")
    _ENVELOPES[kind](event, "")
    return kind.removeprefix("session.") if kind.endswith("append") else kind
