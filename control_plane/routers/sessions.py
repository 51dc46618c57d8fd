"""Session lifecycle: create, read, end."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response, status
from opentelemetry.context import Context
from opentelemetry.trace import SpanKind

from control_plane.admission import CREATE_KEY_HEADER
from control_plane.auth import AuthorizedSession, State
from control_plane.schemas import CreateSessionRequest, CreateSessionResponse, SessionView
from shared.events import SessionStatus
from shared.metrics import sessions_created
from shared.problems import Conflict, TriageError, Unprocessable
from shared.storage import SessionRecord
from shared.telemetry import context_from_traceparent, current_traceparent, session_span
from shared.tokens import hash_token, new_session_token
from shared.turn import ice_servers_for

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/intake/sessions", tags=["sessions"])
PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}


def session_url(session_id: str) -> str:
    return f"/api/intake/sessions/{session_id}"


def view(record: SessionRecord) -> SessionView:
    return SessionView(
        session_id=record.session_id,
        status=record.status,
        status_detail=record.status_detail,
        language=record.language,
        created_at=record.created_at,
        updated_at=record.updated_at,
        expires_at=record.expires_at,
        media_host_id=record.media_host_id,
        offer_accepted=record.offer_accepted,
        summary_ready=record.summary is not None,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CreateSessionResponse,
    responses={401: PROBLEM, 422: PROBLEM, 429: PROBLEM},
    summary="Start an intake session",
)
async def create_session(
    body: CreateSessionRequest,
    state: State,
    request: Request,
    response: Response,
    create_key: Annotated[
        str | None,
        Header(
            alias=CREATE_KEY_HEADER,
            max_length=512,
            description="The front-end key, when the deployment requires one (portal mode)",
        ),
    ] = None,
) -> CreateSessionResponse:
    """Create a session. It takes no media capacity: a media host is chosen (and a slot
    reserved) when the offer arrives, so creating never fails for lack of hosts.

    Returns the bearer token once (only its hash is stored) and the ICE servers to use. Limited
    per client (429 ``rate_limited`` with ``Retry-After``); when the deployment requires the
    front-end key, a create without it gets 401 ``invalid_create_key``.
    """
    await state.admission.admit_create(request, create_key)
    settings = state.settings
    language = settings.match_language(body.user_language)
    if language is None:
        raise Unprocessable(
            f"user_language must be one of: {', '.join(settings.supported_languages)}",
            code="unsupported_language",
        )
    session_id = uuid.uuid4().hex
    token = new_session_token()
    now = datetime.now(UTC)
    expires_at = now + timedelta(seconds=settings.session_ttl_s)
    # The root of the session's trace: its traceparent is stored with the session so that every
    # later request for it, and the media host's call, continue this one trace.
    with session_span("session.create", session_id, parent=Context(), kind=SpanKind.SERVER):
        record = await state.sessions.create(
            session_id=session_id,
            language=language,
            token_hash=hash_token(token),
            expires_at=expires_at,
            user_id=body.user_id,
            now=now,
            trace_parent=current_traceparent(),
        )
        await state.announce_status(record)
    sessions_created.add(1)
    response.headers["Location"] = session_url(session_id)
    response.headers["Cache-Control"] = "no-store"
    return CreateSessionResponse(
        session_id=session_id,
        session_token=token,
        ice_servers=ice_servers_for(session_id, settings.ice, now),
        expires_at=expires_at,
        events_url=f"{session_url(session_id)}/events",
        stream_url=f"{session_url(session_id)}/events/stream",
    )


@router.get(
    "/{session_id}",
    response_model=SessionView,
    responses={401: PROBLEM, 404: PROBLEM},
    summary="Session status",
)
async def get_session(record: AuthorizedSession) -> SessionView:
    """Status, language, timestamps and the assigned media host (no secrets). Readable after the
    session ended or expired."""
    return view(record)


@router.delete(
    "/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={401: PROBLEM, 404: PROBLEM},
    summary="End the session",
)
async def end_session(record: AuthorizedSession, state: State) -> Response:
    """Hang up: tell the media host (best effort), mark the session ``ended``. Idempotent; a
    session that is already over (ended, completed, failed, expired) answers 204 unchanged."""
    if record.status.is_terminal:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    with session_span(
        "session.end",
        record.session_id,
        kind=SpanKind.SERVER,
        parent=context_from_traceparent(record.trace_parent),
    ):
        detail = "ended by the client"
        if record.media_host_url:
            try:
                await state.relay.hang_up(record.media_host_url, record.session_id)
            except TriageError as exc:
                # The session ends regardless: the host ends its side at expires_at at the latest.
                log.warning("hang-up not delivered to media host: %s", exc.code)
                detail = f"ended by the client; media host not reached ({exc.code})"
        try:
            ended, changed = await state.sessions.try_transition(
                record.session_id, SessionStatus.ENDED, detail=detail
            )
        except Conflict:
            return Response(status_code=status.HTTP_204_NO_CONTENT)  # it reached another end first
        if changed:
            await state.announce_status(ended)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
