"""The internal HTTP contract between the control plane (Functions) and a media host.

The control plane relays a browser's WebRTC signalling to the media host that owns the session.
Every request carries the shared key in :data:`KEY_HEADER`; the host compares it in constant time
(:func:`shared.tokens.keys_match`). Requests about a session also carry the W3C ``traceparent``
header of the session's trace; the host's spans continue it (:mod:`shared.telemetry`). Errors
are RFC 9457 problem+json with a stable ``code`` (:class:`shared.problems.Problem`).

Endpoints (relative to the host's registered internal URL):

====== ======================================== ======================== ======================
Method Path                                      Body                     Success
====== ======================================== ======================== ======================
POST   /internal/v1/sessions/{id}/offer          :class:`HostOfferRequest`  200 :class:`HostAnswer`
POST   /internal/v1/sessions/{id}/candidates     :class:`HostCandidates`    204
DELETE /internal/v1/sessions/{id}                —                          204 (idempotent)
GET    /internal/v1/health                       —                          200 :class:`HostHealth`
====== ======================================== ======================== ======================

Host error codes the control plane maps: ``session_not_found`` (404), ``session_ended`` (409),
``offer_already_accepted`` (409), ``no_offer_yet`` (409), ``invalid_sdp`` (422),
``invalid_candidate`` (422), ``host_draining`` (503), ``host_full`` (503), ``unauthorized`` (401).
Both sides validate candidates with the same grammar (:class:`shared.signaling.IceCandidate`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.signaling import IceCandidate, IceServer

KEY_HEADER = "X-Triage-Media-Host-Key"
API_PREFIX = "/internal/v1"


def offer_path(session_id: str) -> str:
    return f"{API_PREFIX}/sessions/{session_id}/offer"


def candidates_path(session_id: str) -> str:
    return f"{API_PREFIX}/sessions/{session_id}/candidates"


def session_path(session_id: str) -> str:
    return f"{API_PREFIX}/sessions/{session_id}"


HEALTH_PATH = f"{API_PREFIX}/health"


class HostOfferRequest(BaseModel):
    """What the control plane sends with a browser's offer: the SDP and the session context the
    host needs to start the intake (it never sees the patient's session token)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["offer"] = "offer"
    sdp: str = Field(min_length=1)
    language: str = Field(min_length=2, max_length=35)
    ice_servers: list[IceServer] = Field(default_factory=list)
    expires_at: str  # ISO-8601 UTC; the host ends the session at that time


class HostAnswer(BaseModel):
    type: Literal["answer"] = "answer"
    sdp: str


class HostCandidates(BaseModel):
    model_config = ConfigDict(extra="forbid")

    candidates: list[IceCandidate] = Field(max_length=50)


class HostHealth(BaseModel):
    host_id: str
    status: Literal["ok", "draining"]
    active_sessions: int = Field(ge=0)
    capacity: int = Field(ge=0)
