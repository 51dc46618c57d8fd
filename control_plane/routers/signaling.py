"""WebRTC signalling relay: the browser's offer and trickled candidates go to the session's host."""

from __future__ import annotations

import contextlib
from typing import Any, Final

from fastapi import APIRouter, Request, Response, status
from opentelemetry.trace import SpanKind

from control_plane.auth import LiveSession, State
from control_plane.routers.sessions import PROBLEM
from control_plane.schemas import AnswerResponse, CandidatesRequest, OfferRequest
from shared.events import SessionStatus
from shared.mediahost_api import HostCandidates, HostOfferRequest
from shared.problems import (
    BadGateway,
    Conflict,
    GatewayTimeout,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    TriageError,
)
from shared.signaling import MAX_SDP_BYTES
from shared.storage import MediaHostRecord, SessionRecord
from shared.telemetry import context_from_traceparent, session_span
from shared.turn import ice_servers_for

router = APIRouter(prefix="/api/intake/sessions/{session_id}", tags=["signaling"])

# Relay failures that mean the host itself is gone (not that it refused this request).
UNREACHABLE: Final = frozenset({"media_host_unavailable", "media_host_timeout"})

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
    """Where the session's call lives (candidates go there)."""
    if record.media_host_url:
        return record.media_host_url
    raise Conflict("no offer was accepted for this session yet", code="no_offer_yet")


async def _live_host(
    record: SessionRecord, state: State, *, available: bool = False
) -> MediaHostRecord | None:
    """The session's recorded host if it is still registered, heartbeating and at that URL
    (and, with ``available``, not draining)."""
    if not record.media_host_id or not record.media_host_url:
        return None
    try:
        host = await state.hosts.get(record.media_host_id)
    except NotFound:
        return None
    if host.internal_url != record.media_host_url or state.host_watch.is_dead(host):
        return None
    if available and host.draining:
        return None
    return host


async def _host_lost(record: SessionRecord, state: State) -> bool:
    """A call to the session's host failed: if the host does not answer a health probe either,
    its call is gone — move the session to ``reconnecting`` (once) and return True. A host that
    answers keeps the session (one failed request is not a dead host, and a second call for the
    session elsewhere would fight the first)."""
    if not record.media_host_id or not record.media_host_url:
        return False
    if await state.relay.alive(record.media_host_url):
        return False
    await state.host_watch.session_lost(record.session_id, record.media_host_id)
    return True


async def _place(record: SessionRecord, state: State, *, avoid: str | None = None) -> str:
    """Choose the least-loaded live host for an offer and reserve a slot on it (the lease).

    The assignment is conditional on the host the session had: when two offers race, the first
    placement wins and the other offer goes to the same host (which refuses the duplicate), so
    one session never gets calls on two hosts.
    """
    settings = state.settings
    freshness = min(settings.media_host_freshness_s, settings.host_dead_after_s)
    host = await state.hosts.pick(freshness_s=freshness, exclude={avoid} if avoid else ())
    if host is None:
        raise ServiceUnavailable(
            "no media host is available right now; retry shortly",
            code="no_media_host",
            headers={"Retry-After": "5"},
        )
    placed = await state.sessions.assign_host(
        record.session_id,
        host_id=host.host_id,
        host_url=host.internal_url,
        replacing=record.media_host_id,
    )
    if placed.media_host_id != host.host_id and placed.media_host_url:
        with contextlib.suppress(TriageError):
            await state.sessions.forget_host_session(host.host_id, record.session_id)
        return placed.media_host_url
    await state.hosts.reserve(host.host_id)
    return host.internal_url


async def _host_url_for_offer(record: SessionRecord, state: State) -> str:
    """The host to send an offer to.

    * no call yet (no offer accepted): a fresh placement — creating a session took no host;
    * ``reconnecting`` (its host died): a fresh placement on another host, where the interview
      resumes from its checkpoint;
    * a call exists on a live host: that host (which answers ``offer_already_accepted``);
    * a call exists but its host is dead and no sweep noticed yet: noticed now, then placed anew.
    """
    if record.status is SessionStatus.RECONNECTING:
        return await _place(record, state, avoid=record.media_host_id)
    if not record.offer_accepted or not record.media_host_url:
        if await _live_host(record, state, available=True) is not None:
            assert record.media_host_url is not None
            return record.media_host_url  # an earlier offer's placement still holds
        return await _place(record, state)
    if await _live_host(record, state) is not None or not await _host_lost(record, state):
        return record.media_host_url
    return await _place(record, state, avoid=record.media_host_id)


@router.post(
    "/offer",
    response_model=AnswerResponse,
    responses={**RELAY_ERRORS, 429: PROBLEM},
    summary="Send the browser's SDP offer, get the media host's answer",
)
async def post_offer(
    body: OfferRequest, record: LiveSession, state: State, request: Request
) -> AnswerResponse:
    """Relay the offer (≤ 64 KiB of SDP) to a media host and return its answer.

    The first offer places the session on the least-loaded live host. After the session's host
    died (status ``reconnecting``), a fresh offer places it on another live host and the
    interview resumes where it was. Limited per client (429 ``rate_limited``).
    """
    with session_span(
        "session.offer",
        record.session_id,
        kind=SpanKind.SERVER,
        parent=context_from_traceparent(record.trace_parent),
    ):
        await state.admission.admit_offer(request)
        if len(body.sdp.encode("utf-8")) > MAX_SDP_BYTES:
            raise PayloadTooLarge(f"the SDP exceeds {MAX_SDP_BYTES} bytes", code="sdp_too_large")
        host_url = await _host_url_for_offer(record, state)
        host_offer = HostOfferRequest(
            sdp=body.sdp,
            language=record.language,
            ice_servers=ice_servers_for(record.session_id, state.settings.ice),
            expires_at=record.expires_at.isoformat(),
        )
        try:
            answer = await state.relay.offer(host_url, record.session_id, host_offer)
        except (BadGateway, GatewayTimeout) as exc:
            if not record.offer_accepted or exc.code not in UNREACHABLE:
                raise
            if not await _host_lost(record, state):
                raise
            # The session's call lived on a host that no longer answers: it is lost; try once
            # more on another live host rather than leaving the patient to retry.
            record = await state.sessions.get(record.session_id)
            host_url = await _place(record, state, avoid=record.media_host_id)
            answer = await state.relay.offer(host_url, record.session_id, host_offer)
        await state.sessions.mark_offer_accepted(record.session_id)
        if record.status in (SessionStatus.CREATED, SessionStatus.RECONNECTING):
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
    with session_span(
        "session.candidates",
        record.session_id,
        kind=SpanKind.SERVER,
        parent=context_from_traceparent(record.trace_parent),
    ):
        host_url = await _assigned_host_url(record, state)
        try:
            await state.relay.candidates(
                host_url, record.session_id, HostCandidates(candidates=body.candidates)
            )
        except (BadGateway, GatewayTimeout) as exc:
            if exc.code in UNREACHABLE:
                await _host_lost(record, state)  # if the host is gone, so is the call: reconnect
            raise
    return Response(status_code=status.HTTP_204_NO_CONTENT)
