"""WebRTC signalling shapes shared by the public API and the internal media-host API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_SDP_BYTES = 64 * 1024  # an offer larger than this is refused with 413
MAX_CANDIDATES_PER_CALL = 50
MAX_CANDIDATE_CHARS = 1024


class IceServer(BaseModel):
    """One entry of RTCConfiguration.iceServers, as browsers and aiortc take it."""

    urls: list[str] = Field(min_length=1)
    username: str | None = None
    credential: str | None = None


class IceCandidate(BaseModel):
    """A trickled candidate, as `RTCIceCandidate.toJSON()` gives it in a browser."""

    model_config = ConfigDict(extra="ignore")

    candidate: str = Field(max_length=MAX_CANDIDATE_CHARS)  # "" = end-of-candidates
    sdpMid: str | None = Field(default=None, max_length=64)
    sdpMLineIndex: int | None = Field(default=None, ge=0, le=64)
