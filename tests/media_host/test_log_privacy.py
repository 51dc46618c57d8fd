"""What the services write about a patient's call holds nothing about the patient.

ICE is all about addresses, and ``aioice`` logs every candidate pair it checks at INFO. With the
logging setup every entry point applies (:func:`shared.log_setup.quiet_library_loggers`), a call
that connects — candidates gathered, pairs checked, DTLS up — logs nothing that names an address,
even with the root logger at DEBUG.

And over a full spoken intake (slow: Whisper STT), every logger at DEBUG and the telemetry's
console output (all spans, a metrics snapshot) hold no transcript line, no word of the patient's
story, no IP address and no token.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator

import httpx
import pytest
from aiortc import RTCSessionDescription
from pydantic import SecretStr

from control_plane.app import create_app as create_control_plane
from control_plane.settings import ControlPlaneSettings
from devtools.demo_intake import HEADACHE_PATIENT, run_intake
from media_host.local_realtime.server import LocalRealtimeServer
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.realtime.settings import RealtimeSettings
from media_host.runner import running_media_host
from shared.config import MediaHostLinkSettings
from shared.log_setup import QUIET_LOGGERS, JsonFormatter, TraceContextFilter, quiet_library_loggers
from shared.mediahost_api import offer_path
from tests.media_host.support import (
    AUTH,
    HOST_KEY,
    SilentBridge,
    client_peer,
    create_session,
    host_settings,
    offer_body,
    serve_app,
    session_store,
)
from tests.support.log_scan import ip_addresses_in
from tests.support.telemetry import TelemetryCapture


@pytest.fixture
def quiet_logging() -> Iterator[None]:
    before = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    quiet_library_loggers()
    try:
        yield
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)


async def test_a_connected_call_logs_no_ip_address(
    azurite, table_prefix, quiet_logging: None, caplog: pytest.LogCaptureFixture
) -> None:
    settings = host_settings(azurite.connection_string, table_prefix)
    with caplog.at_level(logging.DEBUG):
        async with (
            running_media_host(settings, bridge_factory=SilentBridge) as host,
            session_store(settings) as sessions,
            httpx.AsyncClient(base_url=host.url, headers=AUTH, timeout=30) as http,
            client_peer() as (pc, sdp),
        ):
            session_id = await create_session(sessions)
            response = await http.post(offer_path(session_id), json=offer_body(sdp))
            assert response.status_code == 200, response.text
            await pc.setRemoteDescription(RTCSessionDescription(**response.json()))
            for _ in range(300):
                if pc.connectionState == "connected":
                    break
                await asyncio.sleep(0.05)
            assert pc.connectionState == "connected"
    assert caplog.records  # the call did log
    assert ip_addresses_in(caplog.text) == []


# --- a full spoken intake: every logger and the telemetry output ----------------------------------

# Words of the synthetic patient's story (devtools.demo_intake.HEADACHE_PATIENT) that would only
# be in a log if patient words leaked into it.
PATIENT_WORDS = (
    "headache",
    "ibuprofen",
    "dull pressure",
    "allergies",
    "thirty four",
    "pregnant",
    "front of my head",
    "six out of ten",
    "yesterday morning",
)


@pytest.mark.slow
@pytest.mark.timeout(600)
async def test_a_full_spoken_intake_logs_no_patient_words_ips_or_tokens(
    azurite, table_prefix, quiet_logging: None, telemetry: TelemetryCapture
) -> None:
    """The whole production path of a spoken intake — API, media host, realtime bridge, the
    offline speech engine (Whisper STT, eSpeak NG), the intake agent, the event log — with the
    root logger at DEBUG and every record formatted as the services write it (JSON with session
    and trace ids), plus the console telemetry (every span and a metrics snapshot): none of it
    holds a transcript line, a word of the patient's story, an IP address or a token."""
    settings = host_settings(azurite.connection_string, table_prefix)
    control_settings = ControlPlaneSettings(
        storage=settings.storage, media_host=MediaHostLinkSettings(key=SecretStr(HOST_KEY))
    )
    engine = LocalRealtimeServer(LocalRealtimeSettings(mode="speech"))
    await engine.start()
    await engine.warm_up()
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.addFilter(TraceContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    telemetry.console.seek(0)
    telemetry.console.truncate()
    try:
        realtime = RealtimeSettings(mode="local", websocket_base_url=engine.url)
        async with (
            running_media_host(settings.model_copy(update={"realtime": realtime})) as host,
            serve_app(create_control_plane(control_settings)) as api,
        ):
            root.addHandler(handler)
            root.setLevel(logging.DEBUG)
            try:
                outcome = await run_intake(api, HEADACHE_PATIENT, timeout_s=420)
                await host.runtime.manager.idle.wait()
            finally:
                root.removeHandler(handler)
                root.setLevel(level)
    finally:
        await engine.stop()
    telemetry.console_metrics.force_flush()

    assert outcome.summary is not None, "the intake did not complete"
    logs, console = written.getvalue(), telemetry.console.getvalue()
    assert '"session_id"' in logs and '"trace_id"' in logs  # the records are correlated
    assert "trace=" + "0" * 32 not in console  # spans have real trace ids
    assert "realtime.response" in console and "agent.turn" in console  # the session's spans
    assert "triage.model.response_latency" in console  # and the metrics snapshot

    heard = [text for _, text in outcome.transcripts if len(text.strip()) >= 12]
    assert heard, "no transcript to look for"
    for name, text in (("logs", logs), ("telemetry", console)):
        lowered = text.lower()
        leaked = [w for w in PATIENT_WORDS if w in lowered]
        leaked += [line for line in heard if line.strip().lower() in lowered]
        assert leaked == [], f"patient words in the {name}: {leaked[:5]}"
        assert ip_addresses_in(text) == [], f"IP addresses in the {name}"
        for secret in (outcome.token, HOST_KEY):
            assert secret not in text, f"a token in the {name}"


async def test_websocket_frames_to_the_model_are_not_logged(
    quiet_logging: None, caplog: pytest.LogCaptureFixture
) -> None:
    """``websockets`` logs every frame at DEBUG (start and end of its text): the realtime model's
    transcript events would reach the log with the patient's words. Kept at WARNING."""
    from websockets.asyncio.client import connect
    from websockets.asyncio.server import serve

    sentence = "the pain started at the front of my head"
    frame = '{"type": "conversation.item.input_audio_transcription.completed", "transcript": "'

    async def echo(ws) -> None:
        async for message in ws:
            await ws.send(message)

    with caplog.at_level(logging.DEBUG):
        async with serve(echo, "127.0.0.1", 0) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            async with connect(f"ws://127.0.0.1:{port}") as ws:
                await ws.send(frame + sentence + '"}')
                assert sentence in await ws.recv()
    assert "front of my head" not in caplog.text  # a frame line shows the message's end
    assert "TEXT" not in caplog.text  # no frame lines at all
