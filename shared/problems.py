"""RFC 9457 problem details and the error tree every deployable raises on purpose.

Each error carries the HTTP ``status``, a stable machine ``code`` (clients switch on it; it never
changes meaning), a short ``title`` and a human ``detail`` that never contains patient data.
The control plane and the media host's internal API both turn these into
``application/problem+json`` through the one HTTP edge, :mod:`shared.http_edge`; the control
plane's relay turns a host's problem body back into an error with :func:`error_from_problem`.

Tree::

    TriageError(Exception)                  root; status 500, code "internal_error"
    ├── BadRequest(ValueError)              400 e.g. invalid_json
    ├── Unauthorized(PermissionError)       401 missing/wrong bearer token or host key
    ├── NotFound(LookupError)               404 unknown session (or another session's token)
    ├── Conflict                            409 state does not allow the call
    │   ├── SummaryNotReady                 409 summary_not_ready
    │   └── SessionEnded                    409 session_ended (terminal, not expired)
    ├── SessionExpired                      410 session_expired (past expires_at)
    ├── PayloadTooLarge(ValueError)         413 e.g. sdp_too_large
    ├── UnsupportedMediaType(ValueError)    415 unsupported_media_type (body not JSON)
    ├── Unprocessable(ValueError)           422 validation_error, unsupported_language, not_an_offer
    ├── TooManyRequests                     429 rate_limited (always with Retry-After)
    ├── ServiceUnavailable                  503 e.g. no_media_host
    │   └── StorageError                    503 storage_unavailable (Table Storage failed)
    ├── BadGateway                          502 media_host_unavailable / media_host_error
    └── GatewayTimeout(TimeoutError)        504 media_host_timeout

An expired session answers 410 Gone (not 409): the resource is permanently unusable for new
signalling, which is exactly what 410 says; status, events and summary stay readable (200).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://triage.example/problems/"


class FieldError(BaseModel):
    """One invalid input field (``loc`` is the path, e.g. ``["body", "user_language"]``)."""

    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem details body with our stable ``code`` extension member."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int = Field(ge=400, le=599)
    detail: str = ""
    code: str
    instance: str | None = None
    errors: list[FieldError] | None = None

    def to_json(self) -> dict[str, Any]:
        """The body to send (``None`` members dropped)."""
        return self.model_dump(mode="json", exclude_none=True)


class TriageError(Exception):
    """Root of every error raised on purpose; maps to one problem+json response."""

    status: ClassVar[int] = 500
    default_code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal error"

    def __init__(
        self,
        detail: str = "",
        *,
        code: str | None = None,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.code = code or self.default_code
        self.errors = errors
        self.headers = headers or {}

    def to_problem(self, *, instance: str | None = None) -> Problem:
        return Problem(
            type=PROBLEM_TYPE_BASE + self.code,
            title=self.title,
            status=self.status,
            detail=self.detail,
            code=self.code,
            instance=instance,
            errors=self.errors,
        )


class BadRequest(TriageError, ValueError):
    status = 400
    default_code = "bad_request"
    title = "Bad request"


class Unauthorized(TriageError, PermissionError):
    status = 401
    default_code = "unauthorized"
    title = "Unauthorized"


class NotFound(TriageError, LookupError):
    status = 404
    default_code = "not_found"
    title = "Not found"


class Conflict(TriageError):
    status = 409
    default_code = "conflict"
    title = "Conflict"


class SummaryNotReady(Conflict):
    default_code = "summary_not_ready"
    title = "Summary not ready"


class SessionEnded(Conflict):
    default_code = "session_ended"
    title = "Session ended"


class SessionExpired(TriageError):
    status = 410
    default_code = "session_expired"
    title = "Session expired"


class PayloadTooLarge(TriageError, ValueError):
    status = 413
    default_code = "payload_too_large"
    title = "Payload too large"


class UnsupportedMediaType(TriageError, ValueError):
    status = 415
    default_code = "unsupported_media_type"
    title = "Unsupported media type"


class Unprocessable(TriageError, ValueError):
    status = 422
    default_code = "validation_error"
    title = "Unprocessable content"


class TooManyRequests(TriageError):
    status = 429
    default_code = "rate_limited"
    title = "Too many requests"


class ServiceUnavailable(TriageError):
    status = 503
    default_code = "service_unavailable"
    title = "Service unavailable"


class StorageError(ServiceUnavailable):
    default_code = "storage_unavailable"
    title = "Storage unavailable"


class BadGateway(TriageError):
    status = 502
    default_code = "media_host_unavailable"
    title = "Media host failed"


class GatewayTimeout(TriageError, TimeoutError):
    status = 504
    default_code = "media_host_timeout"
    title = "Media host timed out"


_BY_STATUS: dict[int, type[TriageError]] = {
    400: BadRequest,
    401: Unauthorized,
    404: NotFound,
    409: Conflict,
    410: SessionExpired,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: Unprocessable,
    429: TooManyRequests,
    502: BadGateway,
    503: ServiceUnavailable,
    504: GatewayTimeout,
}


def error_from_problem(problem: Problem) -> TriageError:
    """Rebuild an error from a problem body (same status class, same code and detail)."""
    cls = _BY_STATUS.get(problem.status, TriageError)
    return cls(problem.detail, code=problem.code, errors=problem.errors)
