"""Telemetry setup, trace-context helpers, correlated JSON logs and the storage-retry counter.

Configuring OpenTelemetry sets process-wide providers once, so the entry-point configurations are
checked in fresh interpreters; the helpers run against the test process's capture
(tests/support/telemetry.py).
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.rest import HttpRequest

from shared.log_setup import (
    DropClientAddressLines,
    JsonFormatter,
    TraceContextFilter,
    quiet_library_loggers,
)
from shared.storage.tables import count_transport_retries
from shared.telemetry import (
    TelemetrySettings,
    context_from_headers,
    context_from_traceparent,
    current_traceparent,
    inject_trace_headers,
    session_span,
)
from tests.support.log_scan import ip_addresses_in
from tests.support.telemetry import TelemetryCapture

ROOT = Path(__file__).resolve().parents[2]
SESSION = "0123456789abcdef0123456789abcdef"


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "APPLICATIONINS"))}
    clean.pop("TRIAGE_TELEMETRY_CONSOLE", None)
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_pick_the_backend_and_the_identity_from_the_environment() -> None:
    azure = TelemetrySettings.from_env(
        "triage-api",
        {
            "APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=x",
            "APPLICATIONINSIGHTS_AUTHENTICATION_STRING": (
                "ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD"
            ),
            "AZURE_CLIENT_ID": "99999999-2222-3333-4444-555555555555",
        },
    )
    assert azure.connection_string == "InstrumentationKey=x"
    assert azure.identity_client_id == "11111111-2222-3333-4444-555555555555"
    host = TelemetrySettings.from_env(
        "triage-media-host",
        {"AZURE_CLIENT_ID": "99999999-2222-3333-4444-555555555555", "OTEL_SERVICE_NAME": "mh-2"},
    )
    assert host.identity_client_id == "99999999-2222-3333-4444-555555555555"
    assert host.service_name == "mh-2"
    local = TelemetrySettings.from_env(
        "triage-api",
        {"TRIAGE_TELEMETRY_CONSOLE": "1", "OTEL_METRIC_EXPORT_INTERVAL": "nonsense"},
    )
    assert local.console and local.connection_string is None and local.metric_interval_ms == 60_000
    assert TelemetrySettings.from_env("x", {"OTEL_SDK_DISABLED": "true"}).disabled


def test_console_telemetry_prints_one_line_per_span_and_a_metrics_snapshot() -> None:
    result = run_python(
        """
        from shared.telemetry import configure_telemetry, flush_telemetry, session_span
        from shared import metrics
        print(configure_telemetry("triage-media-host"))
        with session_span("session.create", "0123456789abcdef0123456789abcdef"):
            with session_span("agent.turn", "0123456789abcdef0123456789abcdef"):
                metrics.agent_turn_duration.record(12.5)
        metrics.sessions_started.add(1)
        flush_telemetry()
        """,
        TRIAGE_TELEMETRY_CONSOLE="1",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "sdk"
    spans = [line for line in lines if line.startswith("otel span ")]
    assert [line.split()[5] for line in spans] == ["agent.turn", "session.create"]
    trace_ids = {line.split()[2] for line in spans}
    assert len(trace_ids) == 1  # the child is in its parent's trace
    assert "parent=root" in spans[1] and "parent=root" not in spans[0]
    assert any("triage.session_id=0123456789abcdef0123456789abcdef" in s for s in spans)
    assert any(line.startswith("otel metric triage.agent.turn_duration count=1") for line in lines)
    assert "otel metric triage.sessions.started value=1" in result.stdout


def test_without_exporters_nothing_is_printed_but_trace_ids_are_real() -> None:
    result = run_python(
        """
        from shared.telemetry import configure_telemetry, current_traceparent, session_span
        print(configure_telemetry("triage-api"))
        with session_span("session.create", None):
            print(current_traceparent())
        """
    )
    assert result.returncode == 0, result.stderr
    backend, traceparent = result.stdout.split()
    assert backend == "sdk" and traceparent.startswith("00-") and "otel" not in result.stdout


def test_otlp_exports_spans_and_metrics_to_the_configured_endpoint() -> None:
    received: list[str] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            self.rfile.read(length)
            received.append(f"{self.path} {self.headers['Content-Type']} {length}")
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = run_python(
            """
            from shared.telemetry import configure_telemetry, flush_telemetry, session_span
            from shared import metrics
            print(configure_telemetry("triage-api"))
            with session_span("session.create", "0123456789abcdef0123456789abcdef"):
                metrics.sessions_created.add(1)
            flush_telemetry()
            """,
            OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{server.server_port}",
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sdk"]  # nothing on the console
    paths = {line.split()[0] for line in received}
    assert paths == {"/v1/traces", "/v1/metrics"}, received
    assert all("application/x-protobuf" in line for line in received)


def test_the_azure_monitor_distro_is_configured_with_its_instrumentations_off() -> None:
    result = run_python(
        """
        from opentelemetry import trace
        from shared.telemetry import configure_telemetry
        print(configure_telemetry("triage-api"))
        print(type(trace.get_tracer_provider()).__module__)
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        print(FastAPIInstrumentor().is_instrumented_by_opentelemetry)
        """,
        APPLICATIONINSIGHTS_CONNECTION_STRING=(
            "InstrumentationKey=00000000-0000-0000-0000-000000000000;"
            "IngestionEndpoint=http://localhost:9/"
        ),
        APPLICATIONINSIGHTS_STATSBEAT_DISABLED_ALL="true",
    )
    assert result.returncode == 0, result.stderr
    backend, provider_module, fastapi_instrumented = result.stdout.split()[:3]
    assert backend == "azure_monitor"
    assert provider_module.startswith("opentelemetry.sdk.trace")
    assert fastapi_instrumented == "False"  # its server spans would record client addresses


def test_traceparent_carries_a_session_trace_across_a_boundary(
    telemetry: TelemetryCapture,
) -> None:
    with session_span("session.create", SESSION) as root:
        stored = current_traceparent()
    assert stored is not None
    with session_span("session.offer", SESSION, parent=context_from_traceparent(stored)):
        headers = inject_trace_headers({})
    with session_span("media_host.offer", SESSION, parent=context_from_headers(headers)) as host:
        pass
    assert host.get_span_context().trace_id == root.get_span_context().trace_id
    spans = {s.name: s for s in telemetry.finished(SESSION)}
    assert spans["media_host.offer"].parent.span_id == spans["session.offer"].context.span_id
    # Garbage in a stored value or a header starts nothing.
    assert context_from_traceparent("00-nothex-1") is None
    with session_span("other", None, parent=context_from_headers({"traceparent": "bogus"})) as s:
        assert s.get_span_context().trace_id != root.get_span_context().trace_id


def test_a_failed_span_records_the_error_type_never_its_message(
    telemetry: TelemetryCapture,
) -> None:
    with (
        pytest.raises(ValueError),
        session_span("agent.turn", SESSION),
    ):
        raise ValueError("I have had a bad headache")
    [span] = telemetry.finished(SESSION)
    assert span.status.status_code.name == "ERROR"
    assert span.attributes["error.type"] == "ValueError"
    assert span.events == ()  # no exception event, which would carry the message
    assert "headache" not in str(span.attributes)


def test_json_logs_carry_session_and_trace_ids_and_no_exception_message() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(TraceContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.telemetry.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("outside any session")
        said = "chest pain"  # (not in the raising line: the stack frames quote source lines)
        with session_span("agent.turn", SESSION) as span:
            try:
                raise RuntimeError("the patient said: " + said)
            except RuntimeError:
                logger.exception("agent turn failed")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert "session_id" not in first and "trace_id" not in first
    assert second["session_id"] == SESSION
    assert second["trace_id"] == f"{span.get_span_context().trace_id:032x}"
    assert second["span_id"] == f"{span.get_span_context().span_id:016x}"
    assert second["exception_type"] == "RuntimeError"
    assert "chest pain" not in out.getvalue()  # the frames are kept, the message is not


def test_uvicorn_websocket_lines_with_the_client_address_are_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    quiet_library_loggers()
    logger = logging.getLogger("uvicorn.error")
    assert any(isinstance(f, DropClientAddressLines) for f in logger.filters)
    with caplog.at_level(logging.INFO, logger="uvicorn.error"):
        # What uvicorn logs for every accepted WebSocket, with its own format string.
        logger.info('%s - "WebSocket %s" [accepted]', "203.0.113.7:50123", "/ws/x?ticket=secret")
        logger.info("Application startup complete.")
    assert ip_addresses_in(caplog.text) == [] and "secret" not in caplog.text
    assert "Application startup complete." in caplog.text
    for name in ("websockets", "openai"):  # frames and request bodies at DEBUG
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING


def test_every_storage_attempt_after_the_first_counts_as_a_retry(
    telemetry: TelemetryCapture,
) -> None:
    before = telemetry.total("triage.storage.retries")
    request = PipelineRequest(HttpRequest("GET", "http://localhost/x"), PipelineContext(None))
    count_transport_retries(request)
    assert telemetry.total("triage.storage.retries") == before
    count_transport_retries(request)  # azure-core's retry policy sends the same request again
    count_transport_retries(request)
    assert telemetry.total("triage.storage.retries") == before + 2
    fresh = PipelineRequest(HttpRequest("GET", "http://localhost/y"), PipelineContext(None))
    count_transport_retries(fresh)
    assert telemetry.total("triage.storage.retries") == before + 2


async def test_azure_core_retries_of_a_real_request_are_counted(
    azurite, table_prefix, telemetry: TelemetryCapture
) -> None:
    """Through the real pipeline of the tables client: storage reached through a relay that is
    then cut makes azure-core retry the read; each retry counts once."""
    from pydantic import SecretStr

    from devtools.azurite import table_connection_string
    from shared.config import StorageSettings
    from shared.problems import StorageError
    from shared.storage import TableStore
    from tests.support.tcp_relay import TcpRelay

    relay = TcpRelay(azurite.port)
    await relay.start()
    settings = StorageSettings(
        connection_string=SecretStr(table_connection_string(relay.port)), table_prefix=table_prefix
    )
    store = TableStore.from_settings(
        settings, client_options={"retry_total": 2, "retry_backoff_factor": 0.01}
    )
    await store.open()
    try:
        before = telemetry.total("triage.storage.retries")
        await store.ping()
        assert telemetry.total("triage.storage.retries") == before  # one attempt, no retry
        await relay.cut()
        with pytest.raises(StorageError):
            await store.ping()
        assert telemetry.total("triage.storage.retries") == before + 2
    finally:
        await store.close()
