"""Errors of the realtime bridge, and the one place model failures are classified.

Exception tree::

    RealtimeBridgeError                  root of this package
    ├── RealtimeConfigError (ValueError)  settings that cannot work (missing endpoint, ...)
    ├── SessionClosedError (RuntimeError) input after the session ended
    └── ModelConnectionError (ConnectionError)
                                          the model connection failed; `kind` says whether
                                          reconnecting can help

Upstream failures (``error`` events, failed responses, close codes) are classified once, by
:func:`classify_error` and :func:`classify_close`, into an :class:`ErrorKind`; the bridge and the
session logic act on the kind only.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    """What a model failure means for the session."""

    BENIGN = "benign"  # an expected race (cancel after the server already stopped): ignore
    REJECTED = "rejected"  # one client event was refused; the session goes on
    RETRYABLE = "retryable"  # rate limit, server trouble, dropped connection: try again later
    PERMANENT = "permanent"  # auth, wrong endpoint/protocol, unknown model: stop the session

    @property
    def is_permanent(self) -> bool:
        return self is ErrorKind.PERMANENT

    @property
    def retryable(self) -> bool:
        return self is ErrorKind.RETRYABLE


class RealtimeBridgeError(Exception):
    """Root of the realtime bridge's exceptions."""


class RealtimeConfigError(RealtimeBridgeError, ValueError):
    """The settings cannot produce a working connection."""


class SessionClosedError(RealtimeBridgeError, RuntimeError):
    """The bridge was used after its session ended (or started twice)."""


class ModelConnectionError(RealtimeBridgeError, ConnectionError):
    """The model connection could not be opened or was lost.

    Attributes:
        kind: RETRYABLE when reconnecting may help, PERMANENT when it cannot.
        code: A short machine-readable reason (close code or error code), no patient data.
    """

    def __init__(self, message: str, *, kind: ErrorKind, code: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code


_BENIGN_CODES = frozenset({"response_cancel_not_active"})
_PERMANENT_CODES = frozenset(
    {
        "invalid_api_key",
        "beta_api_shape_disabled",
        "invalid_model",
        "missing_model",
        "model_not_found",
        "inference_not_authorized_error",
        "insufficient_quota",
        "unauthorized",
        "forbidden",
    }
)
_RETRYABLE_CODES = frozenset(
    {"rate_limit_exceeded", "server_error", "session_expired", "server_overloaded", "timeout"}
)
_RETRYABLE_TYPES = frozenset({"server_error", "tokens", "requests", "rate_limit_error"})
_PERMANENT_TYPES = frozenset({"authentication_error", "permission_error"})
# Non-fatal refusals whose message is all we get (code null on the wire).
_BENIGN_MESSAGE_MARKERS = ("is already shorter than",)  # truncate overshoot: server clamps
_PERMANENT_MESSAGE_MARKERS = ("missing bearer or basic authentication",)


def classify_error(*, error_type: str | None, code: str | None, message: str | None) -> ErrorKind:
    """Classify one upstream error (an ``error`` event or a failed response's error)."""
    lowered = (message or "").lower()
    if code in _BENIGN_CODES or any(m in lowered for m in _BENIGN_MESSAGE_MARKERS):
        return ErrorKind.BENIGN
    if code in _PERMANENT_CODES or error_type in _PERMANENT_TYPES:
        return ErrorKind.PERMANENT
    if any(m in lowered for m in _PERMANENT_MESSAGE_MARKERS):
        return ErrorKind.PERMANENT
    if code in _RETRYABLE_CODES or error_type in _RETRYABLE_TYPES:
        return ErrorKind.RETRYABLE
    return ErrorKind.REJECTED


# Close codes the service uses after a fatal error event: 3000 auth, 4000 request shape.
_PERMANENT_CLOSE_CODES = frozenset({3000, 4000, 1008})


def classify_close(code: int | None) -> ErrorKind:
    """Classify a WebSocket close we did not ask for.

    1001 (session hit its maximum duration), 1006 (network), 1011/1012/1013 (server trouble) and
    a bare 1000 all mean "open a new session"; 3000/4000 (and policy 1008) mean it cannot work.
    """
    if code is not None and (code in _PERMANENT_CLOSE_CODES or 3000 <= code < 5000):
        return ErrorKind.PERMANENT
    return ErrorKind.RETRYABLE
