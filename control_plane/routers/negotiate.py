"""Negotiate the event WebSocket: one call that works on Azure Functions and under uvicorn.

On Azure (``TRIAGE_WEB_PUBSUB_ENDPOINT`` set) the answer is an Azure Web PubSub client URL for
the session's group, minted with the API's managed identity (:mod:`shared.web_pubsub`); under
uvicorn without Web PubSub it is this API's own ``/ws/{id}/events`` URL with a stream ticket.
Either way the browser runs ``new WebSocket(url)`` and receives the same event JSON, one event
per text message; the session token never enters the URL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar

from fastapi import APIRouter, Request, Response

from control_plane.auth import AuthorizedSession, State
from control_plane.routers.sessions import PROBLEM
from control_plane.routers.stream_tickets import websocket_path
from control_plane.schemas import NegotiateResponse
from shared.problems import TriageError
from shared.stream_tickets import issue_ticket

router = APIRouter(prefix="/api/intake/sessions/{session_id}", tags=["events"])


class WebSocketUnavailable(TriageError):
    """Neither Web PubSub nor the API's own WebSocket exists in this deployment."""

    status: ClassVar[int] = 501
    default_code: ClassVar[str] = "websocket_unavailable"
    title: ClassVar[str] = "WebSocket unavailable"


@router.post(
    "/events/negotiate",
    response_model=NegotiateResponse,
    responses={401: PROBLEM, 404: PROBLEM, 501: PROBLEM, 503: PROBLEM},
    summary="A WebSocket URL for the session's events (Azure Web PubSub, or this API's own)",
)
async def negotiate(
    record: AuthorizedSession, state: State, request: Request, response: Response
) -> NegotiateResponse:
    """No body; bearer token required. The URL carries a credential valid for about a minute
    (connect before ``expires_at``; to reconnect, negotiate again). Web PubSub delivers live
    events only: read what you missed from ``GET …/events?after=<last seq>`` and de-duplicate
    by ``seq`` (docs/api.md)."""
    response.headers["Cache-Control"] = "no-store"
    if state.web_pubsub is not None:
        access = await state.web_pubsub.client_access(record.session_id)
        return NegotiateResponse(
            url=access.url, expires_at=_whole_seconds(access.expires_at), service="web_pubsub"
        )
    if not state.serves_websockets:
        raise WebSocketUnavailable(
            "this deployment has no event WebSocket; use SSE (stream ticket) or long-poll"
        )
    expires_at = datetime.now(UTC) + timedelta(seconds=state.settings.stream_ticket_ttl_s)
    ticket = issue_ticket(record.token_hash, record.session_id, expires_at)
    scheme = "wss" if request.url.scheme == "https" else "ws"
    origin = f"{scheme}://{request.url.netloc}"
    return NegotiateResponse(
        url=f"{origin}{websocket_path(record.session_id)}?ticket={ticket}",
        expires_at=_whole_seconds(expires_at),
        service="api",
    )


def _whole_seconds(moment: datetime) -> datetime:
    return datetime.fromtimestamp(int(moment.timestamp()), UTC)
