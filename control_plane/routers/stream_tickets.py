"""Stream tickets: what a browser puts in the event-stream URL instead of its session token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Response

from control_plane.auth import AuthorizedSession, State
from control_plane.routers.sessions import PROBLEM, session_url
from control_plane.schemas import StreamTicketResponse
from shared.stream_tickets import issue_ticket

router = APIRouter(prefix="/api/intake/sessions/{session_id}", tags=["events"])


def websocket_path(session_id: str) -> str:
    return f"/ws/{session_id}/events"


@router.post(
    "/stream-ticket",
    response_model=StreamTicketResponse,
    responses={401: PROBLEM, 404: PROBLEM},
    summary="A short-lived ticket to open the event stream without headers",
)
async def create_stream_ticket(
    record: AuthorizedSession, state: State, response: Response
) -> StreamTicketResponse:
    """A ticket for ``?ticket=`` on the SSE stream and the WebSocket, valid
    ``TRIAGE_STREAM_TICKET_TTL_SECONDS`` (60 s), reusable until then (EventSource reconnects),
    for this session only and only for reading its events. No request body."""
    expires_at = datetime.now(UTC) + timedelta(seconds=state.settings.stream_ticket_ttl_s)
    ticket = issue_ticket(record.token_hash, record.session_id, expires_at)
    response.headers["Cache-Control"] = "no-store"
    return StreamTicketResponse(
        ticket=ticket,
        expires_at=datetime.fromtimestamp(int(expires_at.timestamp()), UTC),
        stream_url=f"{session_url(record.session_id)}/events/stream?ticket={ticket}",
        websocket_path=f"{websocket_path(record.session_id)}?ticket={ticket}",
    )
