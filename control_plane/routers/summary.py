"""The intake summary, once the agent wrote it."""

from __future__ import annotations

from fastapi import APIRouter

from control_plane.auth import AuthorizedSession
from control_plane.routers.sessions import PROBLEM
from control_plane.schemas import SummaryResponse
from shared.problems import SummaryNotReady

router = APIRouter(prefix="/api/intake/sessions/{session_id}", tags=["summary"])


@router.get(
    "/summary",
    response_model=SummaryResponse,
    responses={401: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    summary="The final intake summary",
)
async def get_summary(record: AuthorizedSession) -> SummaryResponse:
    """409 ``summary_not_ready`` until the agent stored it (the ``symptom_complete`` event)."""
    if record.summary is None:
        raise SummaryNotReady("the intake summary is not written yet", code="summary_not_ready")
    return SummaryResponse(session_id=record.session_id, summary=record.summary)
