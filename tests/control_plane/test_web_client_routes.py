"""The reference web client's files, served by the control plane under uvicorn and on Functions.

What a browser needs from them is checked here (HTML with a strict CSP, JS as a module with the
right type, unknown files as problem+json 404); that the pages really work is the job of the
real-browser tests in ``tests/browser``. Through the Functions entry: ``tests/control_plane/
test_function_app.py``.
"""

from __future__ import annotations

import httpx

from control_plane.web_client import STATIC_DIR
from tests.control_plane.conftest import assert_problem

PAGES = {"/": "index.html", "/clinician.html": "clinician.html"}


async def test_pages_and_assets_are_served_with_a_strict_policy(client: httpx.AsyncClient) -> None:
    for path, name in PAGES.items():
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.content == (STATIC_DIR / name).read_bytes()
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "connect-src 'self'" in policy
        assert "unsafe-inline" not in policy
    for asset in ("intake.js", "clinician.js", "api.js"):
        response = await client.get(f"/static/{asset}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
    assert (await client.get("/static/style.css")).headers["content-type"].startswith("text/css")


async def test_unknown_files_are_problem_404s_and_not_in_the_api_schema(
    client: httpx.AsyncClient,
) -> None:
    assert_problem(await client.get("/static/missing.js"), 404, "not_found")
    assert_problem(await client.get("/static/../app.py"), 404, "not_found")
    paths = (await client.get("/api/openapi.json")).json()["paths"]
    assert "/" not in paths and "/clinician.html" not in paths
