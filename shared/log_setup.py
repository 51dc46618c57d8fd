"""Logging setup shared by every deployable: one place that keeps addresses and bodies out, and
makes every record say which session and trace it belongs to.

Some libraries log what this project must not: ``aioice`` logs every ICE candidate pair — the
patient's IP addresses — at INFO (an IP address is an identifier under HIPAA's Safe Harbor list);
``aiortc`` logs transport and candidate details; azure-core's ``http_logging_policy`` logs each
storage request's URL and headers at INFO; uvicorn's access log writes the client's address for
every request (long-polls included); ``httpx`` logs request URLs at INFO; ``websockets`` logs
every frame at DEBUG — the realtime model's transcript events included — and ``openai`` logs
request bodies at DEBUG. Their loggers are raised to WARNING by :func:`quiet_library_loggers`,
which every entry point calls (``python -m control_plane``, ``function_app``, ``python -m
media_host``, ``python -m media_host.local_realtime``). Uvicorn servers are also started with
``access_log=False``; uvicorn's WebSocket handshake lines (the client's address and the path with
its query string, where a stream ticket may be) go to ``uvicorn.error`` at INFO whatever the
access-log setting, so :class:`DropClientAddressLines` filters them out of that logger.

Records carry ``session_id`` (the session whose work logged it, from
:data:`shared.telemetry.current_session`) and the current span's ``trace_id``/``span_id``
(:class:`TraceContextFilter`). :func:`configure_logging` writes them as one JSON object per line
(``TRIAGE_LOG_FORMAT=json``, the default: what Container Apps and Log Analytics ingest) or as
text for a human (``TRIAGE_LOG_FORMAT=text``, what the local stack uses). Only the record's
message, level, logger, time and those ids are written — never request bodies — and messages
themselves never carry patient words, names, addresses or tokens (tests/media_host/
test_log_privacy.py scans every logger during a full spoken intake).
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import UTC, datetime
from typing import Literal

from opentelemetry import trace

from shared.telemetry import current_session

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s %(message)s"

LogFormat = Literal["json", "text"]

# Logger name → the lowest level it may log at.
QUIET_LOGGERS: dict[str, int] = {
    "aioice": logging.WARNING,
    "aiortc": logging.WARNING,
    "azure": logging.WARNING,
    "azure.core.pipeline.policies.http_logging_policy": logging.WARNING,
    "uvicorn.access": logging.WARNING,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "websockets": logging.WARNING,
    "openai": logging.WARNING,
}


class DropClientAddressLines(logging.Filter):
    """Drops uvicorn's per-connection lines that start with the client's address
    (``'%s - "WebSocket %s" [accepted]'`` and the like)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith('%s - "'))


def quiet_library_loggers() -> None:
    """Raise the noisy libraries' loggers (see module docstring) to their allowed level, and
    filter uvicorn's client-address lines."""
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)
    uvicorn_error = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, DropClientAddressLines) for f in uvicorn_error.filters):
        uvicorn_error.addFilter(DropClientAddressLines())


class TraceContextFilter(logging.Filter):
    """Adds ``session_id``, ``trace_id`` and ``span_id`` to every record (empty when none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = trace.get_current_span().get_span_context()
        session_id = current_session.get() or ""
        trace_id = f"{context.trace_id:032x}" if context.is_valid else ""
        record.session_id = session_id
        record.trace_id = trace_id
        record.span_id = f"{context.span_id:016x}" if context.is_valid else ""
        parts = [
            f"{key}={value}"
            for key, value in (("session", session_id), ("trace", trace_id))
            if value
        ]
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, session and trace ids, and the
    exception's type and stack frames when there is one (never its message: exception messages
    may quote patient text)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("session_id", "trace_id", "span_id"):
            value = getattr(record, key, "")
            if value:
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception_type"] = record.exc_info[0].__name__
            entry["stack"] = "".join(traceback.format_tb(record.exc_info[2]))
        return json.dumps(entry, ensure_ascii=False)


def log_format_from(value: str | None) -> LogFormat:
    return "text" if (value or "").strip().lower() == "text" else "json"


def configure_logging(level: str | int = "INFO", fmt: LogFormat = "json") -> None:
    """Root handler on stderr at ``level`` in `fmt`, with the libraries quieted."""
    handler = logging.StreamHandler()
    handler.addFilter(TraceContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(
        level=level.upper() if isinstance(level, str) else level, handlers=[handler], force=True
    )
    quiet_library_loggers()


def add_trace_context(logger: logging.Logger | None = None) -> None:
    """Put :class:`TraceContextFilter` on every handler of `logger` (default: root) — for hosts
    that own the handlers themselves (the Functions worker, the Azure Monitor distro's)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, TraceContextFilter) for f in handler.filters):
            handler.addFilter(TraceContextFilter())
