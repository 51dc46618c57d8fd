"""Health probes of the API.

- ``GET /api/livez``: the process answers (no I/O).
- ``GET /api/readyz``: a session could be served end to end right now — Table Storage answers a
  round trip within ``READY_TIMEOUT_S`` and the registry holds at least one media host with a
  fresh heartbeat, not draining and below capacity. 503 otherwise. The body names each check as
  ``ok``/``failed``, nothing more (no host ids, URLs or error text).
- ``GET /api/health``: the storage round trip alone (kept for existing callers).
"""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from control_plane.auth import State
from control_plane.routers.sessions import PROBLEM
from control_plane.schemas import HealthResponse
from shared.problems import TriageError

router = APIRouter(prefix="/api", tags=["health"])

READY_TIMEOUT_S = 2.0  # well inside a probe's timeout


class LivenessResponse(BaseModel):
    status: Literal["ok"]


class ReadinessResponse(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, Literal["ok", "failed"]]


@router.get("/health", response_model=HealthResponse, responses={503: PROBLEM})
async def health(state: State) -> HealthResponse:
    """200 when Table Storage answers, else 503 ``storage_unavailable``."""
    await state.store.ping()
    return HealthResponse(status="ok", storage="ok")


@router.get("/livez", response_model=LivenessResponse)
async def livez() -> LivenessResponse:
    """200 while the process answers."""
    return LivenessResponse(status="ok")


@router.get(
    "/readyz",
    response_model=ReadinessResponse,
    responses={503: {"model": ReadinessResponse, "description": "a check failed"}},
)
async def readyz(state: State) -> JSONResponse:
    """200 when storage answers and a media host can take a call, else 503."""
    storage, media_host = False, False
    try:
        async with asyncio.timeout(READY_TIMEOUT_S):
            await state.store.ping()
            storage = True
            host = await state.hosts.pick(freshness_s=state.settings.media_host_freshness_s)
            media_host = host is not None
    except (TriageError, TimeoutError):
        pass
    body = ReadinessResponse(
        status="ready" if storage and media_host else "not_ready",
        checks={
            "storage": "ok" if storage else "failed",
            "media_host_capacity": "ok" if media_host else "failed",
        },
    )
    return JSONResponse(body.model_dump(), status_code=200 if body.status == "ready" else 503)
