"""Bearer-token authorization of per-session calls.

Order of checks, chosen so nothing leaks:

1. no / malformed ``Authorization: Bearer`` header → 401 (with ``WWW-Authenticate: Bearer``);
2. the token (hashed) belongs to no session → 401 ``invalid_token``;
3. it belongs to a *different* session than the path names → 404 ``session_not_found``,
   exactly what an unknown id answers, so a token never reveals which other ids exist;
4. the session's stored hash is compared with the token's in constant time.

An expired session is marked ``expired`` on the way (and the change announced as an event).

Reading a session's events (SSE stream, WebSocket) also accepts a *stream ticket* in
``?ticket=`` (see :mod:`shared.stream_tickets`), because browsers' ``EventSource`` and
``WebSocket`` cannot send headers. A ticket is checked before anything about the session is
revealed: an unknown session, a malformed, forged, expired or other-session ticket all answer the
same 401 ``invalid_ticket``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Path, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from control_plane.state import AppState, app_state
from shared.events import SessionStatus
from shared.problems import NotFound, SessionEnded, SessionExpired, Unauthorized, Unprocessable
from shared.storage import SessionRecord
from shared.stream_tickets import MAX_TICKET_CHARS, TICKET_PATTERN, ticket_is_valid
from shared.tokens import MAX_TOKEN_CHARS, hash_token, token_matches

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="intake"'}
_INVALID = {"WWW-Authenticate": 'Bearer realm="intake", error="invalid_token"'}

SessionIdPath = Annotated[str, Path(max_length=128, description="The session id from creation")]
# Parses the header and declares the scheme in the OpenAPI document; the errors stay ours.
_BEARER = HTTPBearer(
    auto_error=False, scheme_name="sessionToken", description="The session_token from creation"
)
BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]


def bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    token = credentials.credentials.strip() if credentials is not None else ""
    if not token:
        raise Unauthorized(
            "send the session token as 'Authorization: Bearer <token>'",
            code="missing_token",
            headers=_CHALLENGE,
        )
    if len(token) > MAX_TOKEN_CHARS:
        raise Unauthorized("invalid session token", code="invalid_token", headers=_INVALID)
    return token


async def authorized_session(
    session_id: SessionIdPath,
    credentials: BearerCredentials,
    state: Annotated[AppState, Depends(app_state)],
) -> SessionRecord:
    """The session named in the path, if the bearer token is its own (see module docstring)."""
    token = bearer_token(credentials)
    owner = await state.sessions.session_for_token(hash_token(token))
    if owner is None:
        raise Unauthorized("invalid session token", code="invalid_token", headers=_INVALID)
    if owner != session_id:
        raise NotFound("no such session", code="session_not_found")
    record = await state.sessions.get(session_id)
    if not token_matches(token, record.token_hash):
        raise Unauthorized("invalid session token", code="invalid_token", headers=_INVALID)
    state.host_watch.nudge()  # a browser following its session keeps dead-host detection going
    return await state.expire_if_due(record)


# Clocks of API instances may differ a little; a ticket may expire this much past its TTL.
TICKET_CLOCK_SLACK_S = 5.0
_BAD_TICKET = {"WWW-Authenticate": 'Bearer realm="intake", error="invalid_token"'}


async def ticket_session(state: AppState, session_id: str, ticket: str) -> SessionRecord:
    """The session a stream ticket was issued for (see module docstring), else 401."""
    refused = Unauthorized(
        "invalid or expired stream ticket; ask for a new one",
        code="invalid_ticket",
        headers=_BAD_TICKET,
    )
    if len(ticket) > MAX_TICKET_CHARS:
        raise refused
    try:
        record = await state.sessions.get(session_id)
    except (NotFound, Unprocessable):
        raise refused from None
    valid = ticket_is_valid(
        ticket,
        token_hash=record.token_hash,
        session_id=session_id,
        now=datetime.now(UTC),
        max_lifetime_s=state.settings.stream_ticket_ttl_s + TICKET_CLOCK_SLACK_S,
    )
    if not valid:
        raise refused
    state.host_watch.nudge()
    return await state.expire_if_due(record)


async def event_reader_session(
    session_id: SessionIdPath,
    credentials: BearerCredentials,
    state: Annotated[AppState, Depends(app_state)],
    ticket: Annotated[
        str | None,
        Query(
            pattern=TICKET_PATTERN,
            description="A stream ticket (POST …/stream-ticket), for clients that cannot send "
            "headers (EventSource); the Authorization header wins when both are present",
        ),
    ] = None,
) -> SessionRecord:
    """For routes that only read events: the bearer token, or else a stream ticket."""
    if credentials is None and ticket is not None:
        return await ticket_session(state, session_id, ticket)
    return await authorized_session(session_id, credentials, state)


def require_live(record: SessionRecord) -> SessionRecord:
    """For calls that change a session: 410 if it expired, 409 if it is otherwise over."""
    if record.status is SessionStatus.EXPIRED:
        raise SessionExpired("the session expired; create a new one", code="session_expired")
    if record.status.is_terminal:
        raise SessionEnded(f"the session is {record.status.value}", code="session_ended")
    return record


async def live_session(
    record: Annotated[SessionRecord, Depends(authorized_session)],
) -> SessionRecord:
    return require_live(record)


AuthorizedSession = Annotated[SessionRecord, Depends(authorized_session)]
EventReaderSession = Annotated[SessionRecord, Depends(event_reader_session)]
LiveSession = Annotated[SessionRecord, Depends(live_session)]
State = Annotated[AppState, Depends(app_state)]
