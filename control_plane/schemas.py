"""Request and response bodies of the public API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events import SessionStatus
from shared.signaling import MAX_CANDIDATES_PER_CALL, IceCandidate, IceServer


class CreateSessionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_language: str = Field(min_length=2, max_length=35, examples=["en", "es"])
    user_id: str | None = Field(
        default=None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._@:-]+$"
    )


class CreateSessionResponse(BaseModel):
    session_id: str
    session_token: str = Field(description="Bearer token for every per-session call; shown once")
    ice_servers: list[IceServer]
    expires_at: datetime
    events_url: str
    stream_url: str


class SessionView(BaseModel):
    """A session's public state (no token, no internal URLs)."""

    session_id: str
    status: SessionStatus
    status_detail: str
    language: str
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    media_host_id: str | None
    offer_accepted: bool
    summary_ready: bool


class OfferRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["offer"]
    sdp: str = Field(min_length=1, description="At most 64 KiB (UTF-8), else 413")


class AnswerResponse(BaseModel):
    type: Literal["answer"] = "answer"
    sdp: str


class CandidatesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidates: list[IceCandidate] = Field(min_length=1, max_length=MAX_CANDIDATES_PER_CALL)


class EventsPage(BaseModel):
    events: list[dict[str, Any]] = Field(description="Events in wire form, ascending seq")
    next_after: int = Field(description="Pass as ?after= (or Last-Event-ID) to continue")
    status: SessionStatus


class SummaryResponse(BaseModel):
    session_id: str
    summary: dict[str, Any]


class StreamTicketResponse(BaseModel):
    ticket: str = Field(description="Opaque; put it in ?ticket= of the stream or WebSocket URL")
    expires_at: datetime = Field(description="Open (or reconnect) the stream before this")
    stream_url: str = Field(description="The SSE URL with the ticket, for `new EventSource()`")
    websocket_path: str = Field(description="The WebSocket path with the ticket (same host)")


class NegotiateResponse(BaseModel):
    url: str = Field(
        description="Open with `new WebSocket(url)`: one event JSON per text message. Contains "
        "a short-lived access token, never the session token."
    )
    expires_at: datetime = Field(description="Connect before this (reconnect: negotiate again)")
    service: Literal["web_pubsub", "api"] = Field(
        description="`web_pubsub`: Azure Web PubSub, live only (no replay); `api`: this API's "
        "own WebSocket, which first replays the log"
    )


class HealthResponse(BaseModel):
    status: Literal["ok"]
    storage: Literal["ok"]
