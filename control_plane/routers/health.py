"""Liveness with a storage round trip."""

from __future__ import annotations

from fastapi import APIRouter

from control_plane.auth import State
from control_plane.routers.sessions import PROBLEM
from control_plane.schemas import HealthResponse

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=HealthResponse, responses={503: PROBLEM})
async def health(state: State) -> HealthResponse:
    """200 when Table Storage answers, else 503 ``storage_unavailable``."""
    await state.store.ping()
    return HealthResponse(status="ok", storage="ok")
