"""Bearer-token authorization of per-session calls.

Order of checks, chosen so nothing leaks:

1. no / malformed ``Authorization: Bearer`` header → 401 (with ``WWW-Authenticate: Bearer``);
2. the token (hashed) belongs to no session → 401 ``invalid_token``;
3. it belongs to a *different* session than the path names → 404 ``session_not_found``,
   exactly what an unknown id answers, so a token never reveals which other ids exist;
4. the session's stored hash is compared with the token's in constant time.

An expired session is marked ``expired`` on the way (and the change announced as an event).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from control_plane.state import AppState, app_state
from shared.events import SessionStatus
from shared.problems import NotFound, SessionEnded, SessionExpired, Unauthorized
from shared.storage import SessionRecord
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
LiveSession = Annotated[SessionRecord, Depends(live_session)]
State = Annotated[AppState, Depends(app_state)]
