"""WebRTC signalling relay: the browser's offer and trickled candidates go to the session's host."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Response, status

from control_plane.auth import LiveSession, State
from control_plane.routers.sessions import PROBLEM
from control_plane.schemas import AnswerResponse, CandidatesRequest, OfferRequest
from shared.events import SessionStatus
from shared.mediahost_api import HostCandidates, HostOfferRequest
from shared.problems import Conflict, NotFound, PayloadTooLarge, ServiceUnavailable
from shared.signaling import MAX_SDP_BYTES
from shared.storage import SessionRecord
from shared.turn import ice_servers_for

router = APIRouter(prefix="/api/intake/sessions/{session_id}", tags=["signaling"])

RELAY_ERRORS: dict[int | str, dict[str, Any]] = {
    401: PROBLEM,
    404: PROBLEM,
    409: PROBLEM,
    410: PROBLEM,
    413: PROBLEM,
    422: PROBLEM,
    502: PROBLEM,
    503: PROBLEM,
    504: PROBLEM,
}


async def _assigned_host_url(record: SessionRecord, state: State) -> str:
    """Where the session's call lives (candidates go there; the host answers if it has none)."""
    if record.media_host_url:
        return record.media_host_url
    return await _reassign(record, state)


async def _host_url_for_offer(record: SessionRecord, state: State) -> str:
    """The host to send an offer to.

    Until an offer was accepted nothing lives on the assigned host yet, so a host that stopped
    heartbeating or started draining since the session was created is replaced by the
    least-loaded available one (the first offer assigns a host if creation did not).
    """
    if record.media_host_id and record.media_host_url:
        if record.offer_accepted:
            return record.media_host_url
        try:
            host = await state.hosts.get(record.media_host_id)
        except NotFound:
            host = None
        fresh_for = timedelta(seconds=state.settings.media_host_freshness_s)
        if (
            host is not None
            and host.internal_url == record.media_host_url
            and not host.draining
            and datetime.now(UTC) - host.last_heartbeat <= fresh_for
        ):
            return record.media_host_url
    return await _reassign(record, state)


async def _reassign(record: SessionRecord, state: State) -> str:
    host = await state.hosts.pick(freshness_s=state.settings.media_host_freshness_s)
    if host is None:
        raise ServiceUnavailable(
            "no media host is available right now; retry shortly",
            code="no_media_host",
            headers={"Retry-After": "5"},
        )
    await state.sessions.assign_host(
        record.session_id, host_id=host.host_id, host_url=host.internal_url
    )
    await state.hosts.reserve(host.host_id)
    return host.internal_url


@router.post(
    "/offer",
    response_model=AnswerResponse,
    responses=RELAY_ERRORS,
    summary="Send the browser's SDP offer, get the media host's answer",
)
async def post_offer(body: OfferRequest, record: LiveSession, state: State) -> AnswerResponse:
    """Relay the offer (≤ 64 KiB of SDP) to the session's media host and return its answer."""
    if len(body.sdp.encode("utf-8")) > MAX_SDP_BYTES:
        raise PayloadTooLarge(f"the SDP exceeds {MAX_SDP_BYTES} bytes", code="sdp_too_large")
    host_url = await _host_url_for_offer(record, state)
    answer = await state.relay.offer(
        host_url,
        record.session_id,
        HostOfferRequest(
            sdp=body.sdp,
            language=record.language,
            ice_servers=ice_servers_for(record.session_id, state.settings.ice),
            expires_at=record.expires_at.isoformat(),
        ),
    )
    await state.sessions.mark_offer_accepted(record.session_id)
    if record.status is SessionStatus.CREATED:
        try:
            moved, changed = await state.sessions.try_transition(
                record.session_id, SessionStatus.CONNECTING, detail="offer answered"
            )
        except Conflict:
            changed = False  # the host already moved it further (or it ended meanwhile)
        if changed:
            await state.announce_status(moved)
    return AnswerResponse(sdp=answer.sdp)


@router.post(
    "/candidates",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=RELAY_ERRORS,
    summary="Trickle ICE candidates (at most 50 per call)",
)
async def post_candidates(body: CandidatesRequest, record: LiveSession, state: State) -> Response:
    host_url = await _assigned_host_url(record, state)
    await state.relay.candidates(
        host_url, record.session_id, HostCandidates(candidates=body.candidates)
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
