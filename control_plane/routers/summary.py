"""The intake summary, once the agent wrote it — as stored (JSON) or as a FHIR R4 Bundle."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import ValidationError

from control_plane.auth import AuthorizedSession
from control_plane.routers.sessions import PROBLEM
from control_plane.schemas import SummaryResponse
from shared.fhir import summary_to_fhir_bundle
from shared.intake_summary import IntakeSummary
from shared.problems import Conflict, SummaryNotReady

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/intake/sessions/{session_id}", tags=["summary"])

FHIR_JSON = "application/fhir+json"
SummaryFormat = Literal["json", "fhir"]


@router.get(
    "/summary",
    response_model=SummaryResponse,
    responses={
        200: {
            "content": {FHIR_JSON: {"schema": {"type": "object"}}},
            "description": "`format=json`: the stored summary; `format=fhir`: a FHIR R4 "
            "Bundle (type collection) as `application/fhir+json`",
        },
        401: PROBLEM,
        404: PROBLEM,
        409: PROBLEM,
        422: PROBLEM,
    },
    summary="The final intake summary (JSON or FHIR R4 Bundle)",
)
async def get_summary(
    record: AuthorizedSession,
    summary_format: Annotated[
        SummaryFormat,
        Query(alias="format", description="`json` (default) or `fhir` (FHIR R4 Bundle)"),
    ] = "json",
) -> SummaryResponse | Response:
    """409 ``summary_not_ready`` until the agent stored it (the ``symptom_complete`` event)."""
    if record.summary is None:
        raise SummaryNotReady("the intake summary is not written yet", code="summary_not_ready")
    if summary_format == "json":
        return SummaryResponse(session_id=record.session_id, summary=record.summary)
    try:
        summary = IntakeSummary.model_validate(record.summary)
    except ValidationError:
        # Never log the summary or the error's input values: they are health data.
        log.warning("stored summary does not match the summary schema; FHIR export refused")
        raise Conflict(
            "the stored summary cannot be exported as FHIR", code="summary_not_exportable"
        ) from None
    bundle = summary_to_fhir_bundle(summary)
    return Response(
        content=bundle.model_dump_json(exclude_none=True),
        media_type=FHIR_JSON,
        headers={
            "Cache-Control": "no-store",
            # A page that fetches it can save it under this name (session ids are hex).
            "Content-Disposition": f'attachment; filename="intake-{record.session_id}.fhir.json"',
        },
    )
