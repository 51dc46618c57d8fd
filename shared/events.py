"""The session event contract: one envelope, a closed set of typed payloads.

Every producer (media host, control plane) and consumer (Functions event API, SSE, data channel,
front end) uses these models. The wire form is JSON::

    {"v": 1, "seq": 17, "session_id": "…", "type": "transcript_chunk", "ts": "…Z", "data": {…}}

`seq` is assigned by the event log when the event is appended: it starts at 1, is gap-free per
session and is the cursor clients resume from (`?after=`, `Last-Event-ID`). Producers build a
:class:`NewEvent` (type + data); the log turns it into an :class:`Event`.

Versioning: ``v`` is :data:`EVENT_SCHEMA_VERSION`. Adding an event type or an optional field is
backwards compatible and keeps the version; renaming/removing a field or changing its meaning
bumps it. Consumers must ignore event types they do not know.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

EVENT_SCHEMA_VERSION = 1

# Bounds that keep one event well inside one Table Storage property (64 KiB, UTF-16 for strings).
MAX_TEXT_CHARS = 8_000
MAX_DETAIL_CHARS = 1_000


class EventType(StrEnum):
    TRANSCRIPT_CHUNK = "transcript_chunk"
    STATUS_UPDATE = "status_update"
    SYMPTOM_COMPLETE = "symptom_complete"
    ERROR = "error"
    RED_FLAG = "red_flag"
    BARGE_IN = "barge_in"


class SessionStatus(StrEnum):
    """Lifecycle of an intake session. Terminal states: completed, failed, expired, ended."""

    CREATED = "created"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    LISTENING = "listening"
    AGENT_SPEAKING = "agent_speaking"
    # The call's media host was lost; the session waits for a fresh offer, which is placed on a
    # live host and resumes the interview from its checkpoint. Not terminal.
    RECONNECTING = "reconnecting"
    COMPLETED = "completed"  # the agent wrote the intake summary
    FAILED = "failed"  # media or model failure the session cannot recover from
    EXPIRED = "expired"  # the session outlived its TTL
    ENDED = "ended"  # the client hung up (DELETE) before the intake completed

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset(
    {SessionStatus.COMPLETED, SessionStatus.FAILED, SessionStatus.EXPIRED, SessionStatus.ENDED}
)


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TranscriptChunk(_Payload):
    """Patient or agent speech as text. Deltas (`final=False`) are batched; the final one is the
    whole utterance and supersedes the deltas of the same `item_id`."""

    type: Literal[EventType.TRANSCRIPT_CHUNK] = EventType.TRANSCRIPT_CHUNK
    role: Literal["patient", "agent"]
    item_id: str = Field(min_length=1, max_length=128)
    text: str = Field(max_length=MAX_TEXT_CHARS)
    final: bool


class StatusUpdate(_Payload):
    type: Literal[EventType.STATUS_UPDATE] = EventType.STATUS_UPDATE
    status: SessionStatus
    detail: str = Field(default="", max_length=MAX_DETAIL_CHARS)


class SymptomComplete(_Payload):
    """The agent finished the intake; `summary` is the IntakeSummary JSON (schema in docs/)."""

    type: Literal[EventType.SYMPTOM_COMPLETE] = EventType.SYMPTOM_COMPLETE
    summary: dict[str, Any]


class ErrorEvent(_Payload):
    type: Literal[EventType.ERROR] = EventType.ERROR
    code: str = Field(min_length=1, max_length=64)
    message: str = Field(max_length=MAX_DETAIL_CHARS)
    retryable: bool


class RedFlag(_Payload):
    """A deterministic red-flag rule matched; `level` is the disposition it forces."""

    type: Literal[EventType.RED_FLAG] = EventType.RED_FLAG
    rule_id: str = Field(min_length=1, max_length=64)
    level: Literal["emergency", "urgent", "non_urgent", "self_care"]
    title: str = Field(max_length=200)
    advice: str = Field(max_length=MAX_DETAIL_CHARS)


class BargeIn(_Payload):
    """The patient interrupted the agent: playback stopped after `played_ms` of item `item_id`."""

    type: Literal[EventType.BARGE_IN] = EventType.BARGE_IN
    item_id: str = Field(min_length=1, max_length=128)
    played_ms: int = Field(ge=0)


EventData = Annotated[
    TranscriptChunk | StatusUpdate | SymptomComplete | ErrorEvent | RedFlag | BargeIn,
    Field(discriminator="type"),
]
_DATA_ADAPTER: TypeAdapter[EventData] = TypeAdapter(EventData)


def parse_event_data(raw: dict[str, Any]) -> EventData:
    """Validate a payload dict (with its `type`) into the matching payload model."""
    return _DATA_ADAPTER.validate_python(raw)


def utc_now() -> datetime:
    return datetime.now(UTC)


class NewEvent(BaseModel):
    """An event before the log gave it a sequence number."""

    model_config = ConfigDict(frozen=True)

    data: EventData
    ts: datetime = Field(default_factory=utc_now)

    @property
    def type(self) -> EventType:
        return EventType(self.data.type)


class Event(BaseModel):
    """An event as stored in and served from the log."""

    model_config = ConfigDict(frozen=True)

    v: int = EVENT_SCHEMA_VERSION
    seq: int = Field(ge=1)
    session_id: str
    type: EventType
    ts: datetime
    data: EventData

    @classmethod
    def from_new(cls, new: NewEvent, *, seq: int, session_id: str) -> Event:
        return cls(seq=seq, session_id=session_id, type=new.type, ts=new.ts, data=new.data)

    @classmethod
    def from_wire(cls, body: dict[str, Any]) -> Event:
        """Parse the client-facing form produced by :meth:`wire`."""
        data = {**body.get("data", {}), "type": body.get("type")}
        return cls.model_validate({**body, "data": data})

    def wire(self) -> dict[str, Any]:
        """The JSON-ready dict sent to clients (payload without its redundant `type`)."""
        body = self.model_dump(mode="json")
        body["data"].pop("type", None)
        return body
