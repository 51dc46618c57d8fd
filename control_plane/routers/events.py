"""Session events: a long-poll page API and a Server-Sent Events stream."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import StreamingResponse

from control_plane.auth import AuthorizedSession, EventReaderSession, State
from control_plane.event_feed import EventFeed
from control_plane.routers.sessions import PROBLEM
from control_plane.schemas import EventsPage

router = APIRouter(prefix="/api/intake/sessions/{session_id}/events", tags=["events"])

MAX_WAIT_S = 25.0
MAX_CURSOR = 10**12  # far above any real seq; bounds ?after= and Last-Event-ID alike
# Digits only (ASCII: int() would take other scripts' digits) and at most MAX_CURSOR.
# Empty counts as absent.
LAST_EVENT_ID_PATTERN = r"^(?:[0-9]{1,12}|1000000000000)?$"
SSE_HEADERS = {
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",  # proxies: do not buffer the stream
}


@router.get(
    "",
    response_model=EventsPage,
    responses={401: PROBLEM, 404: PROBLEM, 422: PROBLEM},
    summary="Events after a cursor (long-poll)",
)
async def get_events(
    record: AuthorizedSession,
    state: State,
    after: Annotated[int, Query(ge=0, le=MAX_CURSOR, description="Last seq already seen")] = 0,
    wait: Annotated[
        float, Query(ge=0, le=MAX_WAIT_S, description="Seconds to wait for an event (≤ 25)")
    ] = 0,
) -> EventsPage:
    """Returns at once when events after ``after`` exist, else waits up to ``wait`` seconds for
    the first one. An ended session with nothing left returns an empty page immediately."""
    feed = EventFeed.of(state, record, after=after)
    result = await feed.long_poll(min(wait, state.settings.long_poll_max_s))
    return EventsPage(
        events=[event.wire() for event in result.events],
        next_after=feed.cursor,
        status=result.status,
    )


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "SSE stream of events"},
        204: {"description": "Session over and every event already delivered: stop reconnecting"},
        401: PROBLEM,
        404: PROBLEM,
        422: PROBLEM,
    },
    summary="Events as Server-Sent Events",
)
async def stream_events(
    record: EventReaderSession,
    state: State,
    after: Annotated[int, Query(ge=0, le=MAX_CURSOR)] = 0,
    last_event_id: Annotated[
        str,
        Header(
            pattern=LAST_EVENT_ID_PATTERN,
            description="Seq to resume after (wins over ?after=); else 422 invalid_last_event_id",
        ),
    ] = "",
) -> Response:
    """``id:`` is the seq, ``data:`` the event JSON (no ``event:`` line: every event is a
    ``message``, its ``type`` is in the JSON). Resumes after ``Last-Event-ID`` (sent by a
    reconnecting EventSource; wins over ``?after=``). Authorised by the bearer token or, for
    ``EventSource``, ``?ticket=`` from ``POST …/stream-ticket``. An outage of storage ends the
    stream with a comment; the client resumes with ``Last-Event-ID``."""
    cursor = int(last_event_id) if last_event_id else after
    feed = EventFeed.of(state, record, after=cursor)
    if record.status.is_terminal and not await state.events.read(
        record.session_id, after=cursor, limit=1
    ):
        # HTTP 204 is how a server tells EventSource to stop reconnecting for good.
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return StreamingResponse(feed.sse(), media_type="text/event-stream", headers=SSE_HEADERS)
