"""OpenTelemetry for both deployables: configured once per process, from the environment.

Where telemetry goes (first match wins):

* ``APPLICATIONINSIGHTS_CONNECTION_STRING`` set → the Azure Monitor distro
  (``azure-monitor-opentelemetry``): traces, metrics and log records to Application Insights,
  authenticated with the managed identity (the component has local auth off) whose client id is
  in ``APPLICATIONINSIGHTS_AUTHENTICATION_STRING`` (``ClientId=…;Authorization=AAD``) or
  ``AZURE_CLIENT_ID``.
* otherwise the plain OpenTelemetry SDK, with an OTLP/HTTP exporter when
  ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set (the exporter reads the standard ``OTEL_EXPORTER_OTLP_*``
  variables itself), and/or one-line console exporters on stdout when
  ``TRIAGE_TELEMETRY_CONSOLE=1`` (what ``scripts/stack.sh --verbose`` sets).
* with none of them the SDK still runs (spans get real trace ids, so logs correlate and the
  ``traceparent`` header flows between the services) but nothing is exported.

``OTEL_SDK_DISABLED=true`` leaves the no-op API in place. ``OTEL_SERVICE_NAME`` overrides the
service name each entry point passes (``triage-api``, ``triage-media-host``).

The distro's automatic instrumentations are all switched off (decision D105): server spans of the
FastAPI/ASGI instrumentation record the caller's address (``client.address``), HTTP client spans
record full URLs, and Azure SDK spans would add one span per Table Storage query — about ten a
second per client following a session. The spans that tell a session's story are made explicitly
(:func:`session_span`), carry the session id and never patient words, names, addresses or tokens.

One trace per session: the control plane's ``session.create`` span is the root; its W3C
``traceparent`` is stored with the session (:func:`current_traceparent`), every later request for
the session continues that trace (:func:`context_from_traceparent`), and each internal call to a
media host carries it in the ``traceparent`` header (:func:`inject_trace_headers`), from which the
host's spans continue (:func:`context_from_headers`).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any, Literal

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.propagate import extract, inject
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

log = logging.getLogger(__name__)

TRACER_NAME = "triage"
SERVICE_API = "triage-api"
SERVICE_MEDIA_HOST = "triage-media-host"
SESSION_ATTRIBUTE = "triage.session_id"

# Every instrumentation the distro would switch on by default (see the module docstring).
DISTRO_INSTRUMENTATIONS = (
    "azure_sdk",
    "django",
    "fastapi",
    "flask",
    "httpx",
    "psycopg2",
    "requests",
    "urllib",
    "urllib3",
)

Backend = Literal["disabled", "existing", "azure_monitor", "sdk"]

# The session a log record or span belongs to (set by session_span; asyncio tasks inherit it).
current_session: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "triage_session", default=None
)

_TRACEPARENT = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$")
_CLIENT_ID = re.compile(r"(?:^|;)\s*ClientId=([0-9A-Fa-f-]{36})\s*(?:;|$)")


@dataclass(frozen=True)
class TelemetrySettings:
    """Where telemetry goes, read from the environment (see the module docstring)."""

    service_name: str
    disabled: bool = False
    connection_string: str | None = None
    identity_client_id: str | None = None
    otlp_endpoint: str | None = None
    console: bool = False
    metric_interval_ms: int = 60_000

    @classmethod
    def from_env(cls, service_name: str, environ: Mapping[str, str]) -> TelemetrySettings:
        auth = environ.get("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "")
        match = _CLIENT_ID.search(auth)
        client_id = match.group(1) if match else environ.get("AZURE_CLIENT_ID") or None
        interval = environ.get("OTEL_METRIC_EXPORT_INTERVAL", "")
        return cls(
            service_name=environ.get("OTEL_SERVICE_NAME") or service_name,
            disabled=_truthy(environ.get("OTEL_SDK_DISABLED")),
            connection_string=environ.get("APPLICATIONINSIGHTS_CONNECTION_STRING") or None,
            identity_client_id=client_id,
            otlp_endpoint=environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None,
            console=_truthy(environ.get("TRIAGE_TELEMETRY_CONSOLE")),
            metric_interval_ms=int(interval)
            if interval.isdigit() and int(interval) > 0
            else 60_000,
        )


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


_configured: Backend | None = None
_console_flush = False


def configure_telemetry(
    service_name: str,
    environ: Mapping[str, str] | None = None,
    *,
    console_out: IO[str] | None = None,
) -> Backend:
    """Set up tracing and metrics for this process, once (later calls return the first result).

    Args:
        service_name: ``triage-api`` or ``triage-media-host`` (``OTEL_SERVICE_NAME`` overrides).
        environ: The environment (default ``os.environ``).
        console_out: Where the console exporters write (default stdout).
    """
    global _configured, _console_flush
    if _configured is not None:
        return _configured
    settings = TelemetrySettings.from_env(service_name, os.environ if environ is None else environ)
    if settings.disabled:
        _configured = "disabled"
    elif not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        # Someone configured OpenTelemetry before us (a host's own setup, a test harness): keep
        # theirs rather than fight over the one global provider.
        log.info("OpenTelemetry was already configured in this process; keeping it")
        _configured = "existing"
    elif settings.connection_string is not None:
        _configure_azure_monitor(settings)
        _configured = "azure_monitor"
    else:
        _configure_sdk(settings, console_out or sys.stdout)
        _configured = "sdk"
        _console_flush = settings.console
    return _configured


def _resource(settings: TelemetrySettings) -> Any:
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource

    return Resource.create({SERVICE_NAME: settings.service_name})


def _configure_azure_monitor(settings: TelemetrySettings) -> None:
    from azure.identity import ManagedIdentityCredential
    from azure.monitor.opentelemetry import configure_azure_monitor

    credential = (
        ManagedIdentityCredential(client_id=settings.identity_client_id)
        if settings.identity_client_id
        else None
    )
    configure_azure_monitor(
        connection_string=settings.connection_string,
        credential=credential,
        resource=_resource(settings),
        instrumentation_options={name: {"enabled": False} for name in DISTRO_INSTRUMENTATIONS},
        enable_live_metrics=True,
    )


def _configure_sdk(settings: TelemetrySettings, console_out: IO[str]) -> None:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import (
        ConsoleMetricExporter,
        MetricReader,
        PeriodicExportingMetricReader,
    )
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    resource = _resource(settings)
    tracer_provider = TracerProvider(resource=resource)
    readers: list[MetricReader] = []
    if settings.otlp_endpoint is not None:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    if settings.console:
        from shared.telemetry_console import metrics_lines, span_line

        exporter = ConsoleSpanExporter(out=console_out, formatter=span_line)
        tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
        readers.append(
            PeriodicExportingMetricReader(
                ConsoleMetricExporter(out=console_out, formatter=metrics_lines),
                export_interval_millis=settings.metric_interval_ms,
            )
        )
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=readers))


def flush_after_session() -> None:
    """When the console exporters are on (a human is watching), export the session's spans and a
    metrics snapshot now, from a worker thread (exporting must not hold up the event loop).
    Elsewhere the periodic exports do (one export per call would cost without helping)."""
    if not _console_flush:
        return
    with contextlib.suppress(RuntimeError):  # no running loop: nothing to hand off to
        asyncio.get_running_loop().run_in_executor(None, flush_telemetry)


def flush_telemetry(timeout_ms: int = 5_000) -> None:
    """Export what is buffered now (spans and a metrics snapshot); blocks until done."""
    for provider in (trace.get_tracer_provider(), metrics.get_meter_provider()):
        force_flush = getattr(provider, "force_flush", None)
        if force_flush is not None:
            with contextlib.suppress(Exception):  # telemetry must never break a call
                force_flush(timeout_ms)


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


@contextlib.contextmanager
def session_span(
    name: str,
    session_id: str | None,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    parent: otel_context.Context | None = None,
    attributes: Mapping[str, AttributeValue] | None = None,
) -> Iterator[Span]:
    """A current span for work on one session: carries ``triage.session_id`` (and sets
    :data:`current_session` for the log records inside it). Errors mark the span failed with the
    exception's *type* only — messages may quote patient text."""
    attrs: dict[str, AttributeValue] = dict(attributes or {})
    if session_id:
        attrs[SESSION_ATTRIBUTE] = session_id
    token = current_session.set(session_id) if session_id else None
    try:
        with tracer().start_as_current_span(
            name,
            context=parent,
            kind=kind,
            attributes=attrs,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                yield span
            except BaseException as exc:
                mark_failed(span, exc)
                raise
    finally:
        if token is not None:
            current_session.reset(token)


def span_task_context(span: Span, session_id: str) -> contextvars.Context:
    """A context for ``asyncio.create_task(..., context=…)`` in which `span` is current and the
    session is set: for a task that outlives the request which started it (a call's background
    work). One per task (a context cannot be entered by two tasks at once)."""
    task_context = contextvars.copy_context()
    task_context.run(_enter_span, span, session_id)
    return task_context


def _enter_span(span: Span, session_id: str) -> None:
    current_session.set(session_id)
    # Never detached: the context belongs to the one task that runs in it.
    otel_context.attach(trace.set_span_in_context(span))


def mark_failed(span: Span, exc: BaseException) -> None:
    """Record a failure on `span` by exception type (and problem code), never its message."""
    code = getattr(exc, "code", None)
    span.set_attribute("error.type", type(exc).__name__)
    if isinstance(code, str):
        span.set_attribute("triage.error_code", code[:64])
    span.set_status(Status(StatusCode.ERROR))


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span (None when there is no valid one)."""
    carrier: dict[str, str] = {}
    inject(carrier)
    value = carrier.get("traceparent")
    return value if value is not None and _TRACEPARENT.match(value) else None


def context_from_traceparent(value: str | None) -> otel_context.Context | None:
    """A context continuing the trace of a stored ``traceparent`` (None if absent/malformed)."""
    if not value or not _TRACEPARENT.match(value):
        return None
    return extract({"traceparent": value})


def inject_trace_headers(headers: dict[str, str]) -> dict[str, str]:
    """Add the current trace context (W3C ``traceparent``) to outgoing request headers."""
    inject(headers)
    return headers


def context_from_headers(headers: Mapping[str, str]) -> otel_context.Context:
    """The trace context an incoming request carries (an empty context when none)."""
    value = headers.get("traceparent")
    return extract({"traceparent": value} if value and _TRACEPARENT.match(value) else {})
