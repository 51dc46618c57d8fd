"""One trace per session, across the API and the media host, and the metrics of a call.

Real parts, in one process: Azurite, the control plane (uvicorn), a media host (uvicorn) with its
real RealtimeBridge and IntakeAgent, the local realtime engine (speech mode; the patient types, so
no speech recognition runs — eSpeak NG speaks the agent's lines). The control plane and the host
talk over HTTP only, so the host's spans can join the session's trace only through the W3C
``traceparent`` header the relay sends. The spans go to the in-memory exporter the test process
installs (tests/support/telemetry.py).
"""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from pydantic import SecretStr

from control_plane.app import create_app as create_control_plane
from control_plane.settings import ControlPlaneSettings
from devtools.demo_intake import HEADACHE_OPENING
from devtools.voice_client import VoiceClient, is_status
from media_host.local_realtime.server import LocalRealtimeServer
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.realtime.settings import RealtimeSettings
from media_host.runner import running_media_host
from shared.config import MediaHostLinkSettings
from shared.events import SessionStatus, TranscriptChunk
from tests.media_host.support import HOST_KEY, host_settings, serve_app
from tests.support.telemetry import TelemetryCapture

pytestmark = [pytest.mark.timeout(120)]

COUNTERS = ("triage.sessions.created", "triage.sessions.started", "triage.sessions.ended")
HISTOGRAMS = ("triage.ice.connect_time", "triage.agent.turn_duration", "triage.events.delivery_lag")


def agent_line(after_seq: int = 0):
    def match(event) -> bool:
        data = event.data
        return (
            isinstance(data, TranscriptChunk)
            and data.role == "agent"
            and data.final
            and event.seq > after_seq
        )

    return match


def by_name(spans: list[ReadableSpan]) -> dict[str, list[ReadableSpan]]:
    named: dict[str, list[ReadableSpan]] = {}
    for span in spans:
        named.setdefault(span.name, []).append(span)
    return named


def parent_of(span: ReadableSpan, spans: list[ReadableSpan]) -> ReadableSpan:
    assert span.parent is not None, f"{span.name} has no parent"
    [parent] = [s for s in spans if s.context.span_id == span.parent.span_id]
    return parent


async def test_one_trace_per_session_across_api_and_media_host(
    azurite, table_prefix, telemetry: TelemetryCapture
) -> None:
    settings = host_settings(azurite.connection_string, table_prefix)
    control_settings = ControlPlaneSettings(
        storage=settings.storage, media_host=MediaHostLinkSettings(key=SecretStr(HOST_KEY))
    )
    before = {name: telemetry.total(name) for name in (*COUNTERS, *HISTOGRAMS)}
    async with LocalRealtimeServer(LocalRealtimeSettings(mode="speech")) as engine:
        realtime = RealtimeSettings(mode="local", websocket_base_url=engine.url)
        async with (
            running_media_host(settings.model_copy(update={"realtime": realtime})) as host,
            serve_app(create_control_plane(control_settings)) as api,
        ):
            client = VoiceClient(api)
            try:
                await client.start()
                await client.wait_for(is_status(SessionStatus.CONNECTED), 30)
                greeting = await client.wait_for(agent_line(), 40)
                live = telemetry.metric_points()["triage.sessions.live"]
                assert any(
                    p.value >= 1 and p.attributes["triage.host_id"] == host.settings.host_id
                    for p in live
                )
                await client.send_text(HEADACHE_OPENING)
                await client.wait_for(agent_line(after_seq=greeting.seq), 40)
            finally:
                await client.hang_up()
                await client.close()
            await host.runtime.manager.idle.wait()

    spans = telemetry.finished(client.session_id)
    named = by_name(spans)
    for name in (
        "session.create",
        "session.offer",
        "relay.offer",
        "media_host.offer",
        "intake.call",
        "realtime.connect",
        "realtime.response",
        "agent.turn",
        "session.end",
        "relay.hang_up",
        "media_host.hang_up",
    ):
        assert name in named, f"no {name} span in {sorted(named)}"
    assert len({s.context.trace_id for s in spans}) == 1  # ONE trace for the whole session

    # The chain crosses the process boundary through the traceparent header, not shared memory.
    [create] = named["session.create"]
    assert create.parent is None
    [offer] = named["session.offer"]
    assert parent_of(offer, spans) is create
    [relay] = named["relay.offer"]
    assert parent_of(relay, spans) is offer
    [host_offer] = named["media_host.offer"]
    assert parent_of(host_offer, spans) is relay
    [call] = named["intake.call"]
    assert parent_of(call, spans) is host_offer
    for child in (*named["realtime.connect"], *named["realtime.response"], *named["agent.turn"]):
        assert parent_of(child, spans) is call, child.name
    assert call.attributes["triage.end_status"] == "ended"

    # Only the services' own spans: no framework span with URLs, queries or addresses
    # (FastAPI's built-in telemetry is off in both apps; shared/http_edge.py).
    scopes = {s.instrumentation_scope.name for s in telemetry.finished() if s.instrumentation_scope}
    assert scopes == {"triage"}, scopes

    # Attributes name the session, never what the patient said.
    for span in spans:
        for value in (span.attributes or {}).values():
            assert "headache" not in str(value).lower(), span.name

    after = {name: telemetry.total(name) for name in (*COUNTERS, *HISTOGRAMS)}
    for name in (*COUNTERS, *HISTOGRAMS):
        assert after[name] > before[name], f"{name} was not recorded"
