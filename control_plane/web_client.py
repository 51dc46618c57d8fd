"""The reference web client, served by the control plane itself (same origin, so no CORS).

``/`` is the patient's intake page, ``/clinician.html`` the clinician view of a finished intake,
``/static/…`` their scripts and styles — plain files from ``control_plane/static`` (no build
step). Under Azure Functions they reach this app through the catch-all function like any other
non-API path. The pages are public; every session call they make carries the session token.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"

# The pages load only their own scripts and talk only to this origin; microphone is allowed for
# this origin only. `media-src blob:` covers the agent's audio stream element.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "media-src 'self' blob: mediastream:; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "Permissions-Policy": "microphone=(self)",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type="text/html", headers=PAGE_HEADERS)


@router.get("/")
async def intake_page() -> FileResponse:
    return _page("index.html")


@router.get("/clinician.html")
async def clinician_page() -> FileResponse:
    return _page("clinician.html")


def install_web_client(app: FastAPI) -> None:
    """Add the pages and mount their static files."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
