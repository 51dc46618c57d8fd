"""Server events the bridge handles: small frozen dataclasses and one parse function.

:func:`parse_server_event` never raises: unknown types become :class:`Ignored`, frames that are
not a valid event become :class:`ProtocolViolation` (its reason names a field, never a value).
GA names are primary; the beta names that were renamed in GA are accepted too.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Literal

from media_host.realtime.errors import ErrorKind, classify_error

Role = Literal["user", "assistant", "system"]


@dataclass(frozen=True)
class SessionStarted:
    """``session.created``; `expires_at` is epoch seconds when the server says."""

    session_id: str
    expires_at: int | None


@dataclass(frozen=True)
class SessionUpdated:
    session_id: str


@dataclass(frozen=True)
class SpeechStarted:
    item_id: str
    audio_start_ms: int


@dataclass(frozen=True)
class SpeechStopped:
    item_id: str


@dataclass(frozen=True)
class ItemAdded:
    """A conversation item was committed/added; `previous_item_id` gives its place.

    `transcript` is set for items that carry their text inline (typed input, text output).
    """

    item_id: str
    previous_item_id: str | None
    item_type: str
    role: Role | None
    content_types: tuple[str, ...]
    transcript: str | None


@dataclass(frozen=True)
class InputTranscriptDelta:
    item_id: str
    delta: str


@dataclass(frozen=True)
class InputTranscriptDone:
    item_id: str
    transcript: str


@dataclass(frozen=True)
class InputTranscriptFailed:
    item_id: str
    code: str | None


@dataclass(frozen=True)
class ResponseCreated:
    response_id: str


@dataclass(frozen=True)
class OutputItemAdded:
    response_id: str
    item_id: str
    item_type: str


@dataclass(frozen=True)
class AudioDelta:
    response_id: str
    item_id: str
    pcm16_24k: bytes


@dataclass(frozen=True)
class OutputTranscriptDelta:
    response_id: str
    item_id: str
    delta: str


@dataclass(frozen=True)
class OutputTranscriptDone:
    response_id: str
    item_id: str
    transcript: str


@dataclass(frozen=True)
class ResponseDone:
    """``response.done``: always arrives, whatever the status.

    Attributes:
        status: completed | cancelled | failed | incomplete.
        reason: ``status_details.reason`` (turn_detected, client_cancelled, max_output_tokens…).
        error_kind: for failed responses, the classified error; None otherwise.
        output_item_ids: ids of the response's output items.
    """

    response_id: str
    status: str
    reason: str | None
    error_code: str | None
    error_kind: ErrorKind | None
    output_item_ids: tuple[str, ...]


@dataclass(frozen=True)
class ItemTruncated:
    item_id: str
    audio_end_ms: int


@dataclass(frozen=True)
class RateLimit:
    name: str
    limit: int
    remaining: int
    reset_seconds: float


@dataclass(frozen=True)
class RateLimitsUpdated:
    limits: tuple[RateLimit, ...]


@dataclass(frozen=True)
class ServerError:
    """An ``error`` event. `message` is kept for classification only: never log or forward it
    (it can echo what we sent, which may contain patient data)."""

    kind: ErrorKind
    error_type: str | None
    code: str | None
    param: str | None
    client_event_id: str | None


@dataclass(frozen=True)
class Ignored:
    """A well-formed event the bridge does not act on (deltas we skip, unknown types)."""

    type: str


@dataclass(frozen=True)
class ProtocolViolation:
    """A frame that is not a valid server event; `reason` is safe to log."""

    reason: str


ServerEvent = (
    SessionStarted
    | SessionUpdated
    | SpeechStarted
    | SpeechStopped
    | ItemAdded
    | InputTranscriptDelta
    | InputTranscriptDone
    | InputTranscriptFailed
    | ResponseCreated
    | OutputItemAdded
    | AudioDelta
    | OutputTranscriptDelta
    | OutputTranscriptDone
    | ResponseDone
    | ItemTruncated
    | RateLimitsUpdated
    | ServerError
    | Ignored
    | ProtocolViolation
)

MAX_FRAME_BYTES = 8 * 1024 * 1024


class _Bad(Exception):
    """A required field is missing or has the wrong type (internal to parsing)."""


def _str(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise _Bad(f"{key} missing")
    return value[:256]


def _opt_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) else None


def _int(obj: dict[str, Any], key: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f"{key} missing")
    return int(value)


def _dict(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise _Bad(f"{key} missing")
    return value


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    return value if isinstance(value, list) else []


def _obj(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def _item_added(ev: dict[str, Any]) -> ItemAdded:
    item = _dict(ev, "item")
    role = item.get("role")
    content = [c for c in _list(item, "content") if isinstance(c, dict)]
    types = tuple(str(c.get("type")) for c in content)
    texts: list[str] = []
    for part in content:
        text = part.get("text") or part.get("transcript")
        if isinstance(text, str):
            texts.append(text)
    return ItemAdded(
        item_id=_str(item, "id"),
        previous_item_id=_opt_str(ev, "previous_item_id"),
        item_type=_str(item, "type"),
        role=role if role in ("user", "assistant", "system") else None,
        content_types=types,
        transcript="".join(texts) if texts else None,
    )


def _response_done(ev: dict[str, Any]) -> ResponseDone:
    resp = _dict(ev, "response")
    details = _obj(resp, "status_details")
    error = _obj(details, "error") or None
    output = _list(resp, "output")
    return ResponseDone(
        response_id=_str(resp, "id"),
        status=_opt_str(resp, "status") or "completed",
        reason=_opt_str(details, "reason"),
        error_code=(_opt_str(error, "code") or _opt_str(error, "type")) if error else None,
        error_kind=(
            classify_error(
                error_type=_opt_str(error, "type"),
                code=_opt_str(error, "code"),
                message=_opt_str(error, "message"),
            )
            if error
            else None
        ),
        output_item_ids=tuple(
            o["id"] for o in output if isinstance(o, dict) and isinstance(o.get("id"), str)
        ),
    )


def _audio(ev: dict[str, Any]) -> AudioDelta:
    try:
        pcm = base64.b64decode(_str_full(ev, "delta"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _Bad("delta is not base64") from exc
    if len(pcm) % 2:
        pcm = pcm[:-1]  # pcm16 samples are 2 bytes; a torn sample is noise
    return AudioDelta(_str(ev, "response_id"), _str(ev, "item_id"), pcm)


def _str_full(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise _Bad(f"{key} missing")
    return value


def _error(ev: dict[str, Any]) -> ServerError:
    err = _dict(ev, "error")
    error_type, code = _opt_str(err, "type"), _opt_str(err, "code")
    return ServerError(
        kind=classify_error(error_type=error_type, code=code, message=_opt_str(err, "message")),
        error_type=error_type[:64] if error_type else None,
        code=code[:64] if code else None,
        param=(_opt_str(err, "param") or None),
        client_event_id=_opt_str(err, "event_id"),
    )


def _rate_limits(ev: dict[str, Any]) -> RateLimitsUpdated:
    raw = _list(ev, "rate_limits")
    limits = []
    for entry in raw[:8]:
        if isinstance(entry, dict):
            try:
                limits.append(
                    RateLimit(
                        name=_str(entry, "name"),
                        limit=_int(entry, "limit"),
                        remaining=_int(entry, "remaining"),
                        reset_seconds=float(entry.get("reset_seconds") or 0.0),
                    )
                )
            except (_Bad, TypeError, ValueError):
                continue
    return RateLimitsUpdated(tuple(limits))


def _classify(ev: dict[str, Any], kind: str) -> ServerEvent:
    match kind:
        case "session.created":
            session = _dict(ev, "session")
            expires = session.get("expires_at")
            return SessionStarted(
                _opt_str(session, "id") or "", int(expires) if isinstance(expires, int) else None
            )
        case "session.updated":
            return SessionUpdated(_opt_str(_dict(ev, "session"), "id") or "")
        case "input_audio_buffer.speech_started":
            return SpeechStarted(_str(ev, "item_id"), _int(ev, "audio_start_ms"))
        case "input_audio_buffer.speech_stopped":
            return SpeechStopped(_str(ev, "item_id"))
        case "input_audio_buffer.committed":
            # The first word of a user audio item's place in the conversation.
            return ItemAdded(
                item_id=_str(ev, "item_id"),
                previous_item_id=_opt_str(ev, "previous_item_id"),
                item_type="message",
                role="user",
                content_types=("input_audio",),
                transcript=None,
            )
        case "conversation.item.added" | "conversation.item.created" | "conversation.item.done":
            return _item_added(ev)
        case "conversation.item.input_audio_transcription.delta":
            return InputTranscriptDelta(_str(ev, "item_id"), _str_full(ev, "delta"))
        case "conversation.item.input_audio_transcription.completed":
            return InputTranscriptDone(_str(ev, "item_id"), _str_full(ev, "transcript"))
        case "conversation.item.input_audio_transcription.failed":
            code = _opt_str(_obj(ev, "error"), "code")
            return InputTranscriptFailed(_str(ev, "item_id"), code)
        case "response.created":
            return ResponseCreated(_str(_dict(ev, "response"), "id"))
        case "response.output_item.added":
            item = _dict(ev, "item")
            return OutputItemAdded(_str(ev, "response_id"), _str(item, "id"), _str(item, "type"))
        case "response.output_audio.delta" | "response.audio.delta":
            return _audio(ev)
        case (
            "response.output_audio_transcript.delta"
            | "response.audio_transcript.delta"
            | "response.output_text.delta"
            | "response.text.delta"
        ):
            return OutputTranscriptDelta(
                _str(ev, "response_id"), _str(ev, "item_id"), _str_full(ev, "delta")
            )
        case (
            "response.output_audio_transcript.done"
            | "response.audio_transcript.done"
            | "response.output_text.done"
            | "response.text.done"
        ):
            text = ev.get("transcript") if "transcript" in ev else ev.get("text")
            if not isinstance(text, str):
                raise _Bad("transcript missing")
            return OutputTranscriptDone(_str(ev, "response_id"), _str(ev, "item_id"), text)
        case "response.done":
            return _response_done(ev)
        case "conversation.item.truncated":
            return ItemTruncated(_str(ev, "item_id"), _int(ev, "audio_end_ms"))
        case "rate_limits.updated":
            return _rate_limits(ev)
        case "error":
            return _error(ev)
    return Ignored(kind[:128])


def parse_server_event(frame: str | bytes) -> ServerEvent:
    """Classify one WebSocket frame from the model. Never raises."""
    if isinstance(frame, bytes) and len(frame) > MAX_FRAME_BYTES:
        return ProtocolViolation("frame too large")
    try:
        raw = json.loads(frame)
    except (ValueError, RecursionError):
        return ProtocolViolation("frame is not JSON")
    if not isinstance(raw, dict):
        return ProtocolViolation("frame is not a JSON object")
    kind = raw.get("type")
    if not isinstance(kind, str) or not kind:
        return ProtocolViolation("frame has no type")
    try:
        return _classify(raw, kind)
    except (_Bad, TypeError, ValueError, KeyError) as exc:
        # The reason names a field, never a value.
        reason = str(exc) if isinstance(exc, _Bad) else type(exc).__name__
        return ProtocolViolation(f"{kind[:64]}: {reason}")
