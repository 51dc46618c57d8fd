"""Session events over a WebSocket (``/ws/{session_id}/events``), for uvicorn deployments.

The same event JSON as long-poll and SSE, one event per text message, in seq order, from
``?after=`` (or the first message's ``after``). Browsers cannot send headers on a WebSocket, so
the client authenticates either with a stream ticket in ``?ticket=`` or, without one, with a
first message ``{"type": "auth", "token": "<session token>", "after": N}`` — never with the token
in the URL.

Errors close the socket with code ``4000 + HTTP status`` and the problem ``code`` as the reason
(e.g. 4401 ``invalid_token``, 4404 ``session_not_found``), because a browser sees neither the
HTTP status of a refused handshake nor a body; the socket is therefore always accepted first.
The server closes with 1000 after the session's terminal ``status_update`` was sent, and 1011
``storage_unavailable`` when Table Storage fails (reconnect with ``after`` = last seq seen).

Azure Functions cannot hold WebSockets; there the same contract goes through Azure Web PubSub
(docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Path, Query, WebSocket, WebSocketDisconnect
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from control_plane.auth import authorized_session, ticket_session
from control_plane.event_feed import EventFeed
from control_plane.routers.events import MAX_CURSOR
from control_plane.state import AppState, app_state_of
from shared.problems import StorageError, TriageError, Unauthorized, Unprocessable
from shared.storage import SessionRecord
from shared.stream_tickets import MAX_TICKET_CHARS
from shared.tokens import MAX_TOKEN_CHARS

log = logging.getLogger(__name__)

router = APIRouter()

AUTH_TIMEOUT_S = 10.0  # the first message must arrive within this
MAX_CLIENT_MESSAGE_CHARS = 1024  # an auth message is ~100 characters
CLOSE_NORMAL = 1000
CLOSE_INTERNAL = 1011


class AuthMessage(BaseModel):
    """The first client message when no ticket is in the URL."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(pattern="^auth$")
    token: str = Field(min_length=1, max_length=MAX_TOKEN_CHARS)
    after: int = Field(default=0, ge=0, le=MAX_CURSOR)


async def _close(websocket: WebSocket, code: int, reason: str) -> None:
    """Close unless the socket is already gone (a client that left needs no close frame)."""
    with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):
        await websocket.close(code=code, reason=reason)


async def _authenticate(
    websocket: WebSocket, state: AppState, session_id: str, ticket: str | None, after: int
) -> tuple[SessionRecord, int]:
    """The session and the cursor to start from, by ticket or by a first ``auth`` message."""
    if ticket is not None:
        return await ticket_session(state, session_id, ticket), after
    try:
        with anyio.fail_after(AUTH_TIMEOUT_S):
            raw = await websocket.receive_text()
    except TimeoutError:
        raise Unauthorized("no auth message in time", code="missing_token") from None
    if len(raw) > MAX_CLIENT_MESSAGE_CHARS:
        raise Unprocessable("the auth message is too large", code="validation_error")
    try:
        message = AuthMessage.model_validate_json(raw)
    except ValidationError:
        # The message holds the token: never echo or log it.
        raise Unauthorized(
            'send {"type": "auth", "token": "<session token>"} first', code="missing_token"
        ) from None
    credentials = HTTPAuthorizationCredentials(scheme="Bearer", credentials=message.token)
    record = await authorized_session(session_id, credentials, state)
    return record, message.after if "after" in message.model_fields_set else after


async def _drain_client(websocket: WebSocket, done: anyio.CancelScope) -> None:
    """Read (and ignore) client messages so a disconnect is noticed at once."""
    try:
        while True:
            await websocket.receive_text()
    except (WebSocketDisconnect, RuntimeError, OSError):
        done.cancel()


async def _send_events(websocket: WebSocket, feed: EventFeed, done: anyio.CancelScope) -> None:
    """Send the feed, then close: 1000 at the session's end, 1011 if storage failed."""
    try:
        async for event in feed.until_end():
            payload: dict[str, Any] = event.wire()
            text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
            await websocket.send_text(text)
    except StorageError as error:
        log.warning("event socket ended early: storage unavailable")
        await _close(websocket, CLOSE_INTERNAL, error.code)
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the client left mid-send
    else:
        await _close(websocket, CLOSE_NORMAL, "session over")
    done.cancel()


@router.websocket("/ws/{session_id}/events")
async def session_events_socket(
    websocket: WebSocket,
    session_id: Annotated[str, Path(max_length=128)],
    after: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0,
    ticket: Annotated[str | None, Query(max_length=MAX_TICKET_CHARS)] = None,
) -> None:
    """See the module docstring (and docs/api.md) for the protocol."""
    state = app_state_of(websocket.app)
    await websocket.accept()
    try:
        record, cursor = await _authenticate(websocket, state, session_id, ticket, after)
    except WebSocketDisconnect:
        return  # the client left while authenticating
    except TriageError as error:
        await _close(websocket, 4000 + error.status, error.code)
        return
    feed = EventFeed.of(state, record, after=cursor)
    with anyio.CancelScope() as done:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_drain_client, websocket, done)
            tasks.start_soon(_send_events, websocket, feed, done)
