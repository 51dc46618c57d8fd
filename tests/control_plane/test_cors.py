"""CORS: the local stack's default origins reach every browser-facing route; others do not."""

from __future__ import annotations

import httpx

from control_plane.app import create_app
from control_plane.settings import ControlPlaneSettings
from devtools.stack import default_cors_origins
from shared.config import csv_env


async def test_the_local_stack_origins_pass_preflight_for_the_browser_routes(
    cp_settings: ControlPlaneSettings,
) -> None:
    origins = csv_env(
        {"TRIAGE_CORS_ORIGINS": default_cors_origins(7071)}, "TRIAGE_CORS_ORIGINS", []
    )
    assert origins == ["http://127.0.0.1:7071", "http://localhost:7071"]
    app = create_app(cp_settings.model_copy(update={"cors_origins": origins}))
    sid = "0" * 32
    routes = [
        ("POST", "/api/intake/sessions", "content-type"),
        ("POST", f"/api/intake/sessions/{sid}/offer", "authorization,content-type"),
        ("POST", f"/api/intake/sessions/{sid}/stream-ticket", "authorization"),
        ("GET", f"/api/intake/sessions/{sid}/events/stream", "authorization,last-event-id"),
        ("DELETE", f"/api/intake/sessions/{sid}", "authorization"),
    ]
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        for method, path, headers in routes:
            for origin in origins:
                preflight = await http.options(
                    path,
                    headers={
                        "Origin": origin,
                        "Access-Control-Request-Method": method,
                        "Access-Control-Request-Headers": headers,
                    },
                )
                assert preflight.status_code == 200, (path, preflight.text)
                assert preflight.headers["access-control-allow-origin"] == origin
        foreign = await http.options(
            "/api/intake/sessions",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in foreign.headers
        created = await http.post(
            "/api/intake/sessions",
            json={"user_language": "en"},
            headers={"Origin": "http://localhost:7071"},
        )
        assert created.status_code == 201
        exposed = created.headers["access-control-expose-headers"].lower()
        assert "location" in exposed and "retry-after" in exposed
