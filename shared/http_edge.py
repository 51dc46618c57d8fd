"""One HTTP edge for both services: every error leaves as RFC 9457 ``application/problem+json``.

The control plane's public API and the media host's internal API install the same pieces:

* :func:`install_problem_handlers` — the exception handlers:

  - :class:`~shared.problems.TriageError` → its status and stable ``code``;
  - request validation → 422 ``validation_error`` listing field errors (input values are never
    echoed: they may be health data or addresses), or the code a field owns (``field_codes``,
    e.g. a bad ICE candidate → ``invalid_candidate``); a body that is not JSON — malformed,
    not UTF-8, or an integer past Python's digit limit — → 400 ``invalid_json``;
  - Starlette's own 404/405 → ``not_found`` / ``method_not_allowed`` (``Allow`` lists every
    method the path has, not just the first route's);
  - anything else → 500 ``internal_error``, logged with its traceback, never sent (no exception
    class names in bodies).

* :class:`RequestGuard` — pure-ASGI (streaming responses such as SSE pass untouched): the body
  size cap (declared ``Content-Length`` up front, and the bytes actually received, for chunked
  uploads) → 413 ``payload_too_large``, a malformed ``Content-Length`` → 400
  ``invalid_content_length``, and a body that is not declared JSON → 415
  ``unsupported_media_type``.

* :func:`document_problems` — rewrites a generated OpenAPI document so it says what the handlers
  do: every error response is ``application/problem+json`` (:class:`~shared.problems.Problem`),
  and operations taking a body document 400/413/415/422, all operations 500 and 503.

Every 503 carries ``Retry-After`` (:data:`DEFAULT_RETRY_AFTER_S` unless the error set its own).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from email.message import Message as MimeMessage
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import (
    PROBLEM_CONTENT_TYPE,
    BadRequest,
    FieldError,
    PayloadTooLarge,
    Problem,
    TriageError,
    Unprocessable,
    UnsupportedMediaType,
)

log = logging.getLogger(__name__)

# FastAPI's built-in OpenTelemetry is off for both apps: its request spans record the URL's query
# (where SSE stream tickets travel) and the server address, its log records carry exception
# messages (which may quote patient text), and every long-poll would be a span. The services'
# spans are explicit instead (shared/telemetry.py, decision D105).
FASTAPI_TELEMETRY_OFF: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}

DEFAULT_RETRY_AFTER_S = 5
MAX_FIELD_ERRORS = 20
_HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")

LimitFor = Callable[[str], int]


# --- responses --------------------------------------------------------------------------------


def problem_response(error: TriageError, instance: str | None = None) -> JSONResponse:
    """The problem+json response for one of our errors (503s always say when to retry)."""
    headers = dict(error.headers)
    if error.status == 503:
        headers.setdefault("Retry-After", str(DEFAULT_RETRY_AFTER_S))
    return JSONResponse(
        error.to_problem(instance=instance).to_json(),
        status_code=error.status,
        media_type=PROBLEM_CONTENT_TYPE,
        headers=headers or None,
    )


async def send_problem(send: Send, error: TriageError, instance: str | None = None) -> None:
    """Answer from ASGI middleware, before any route ran (the server deals with a body left
    unread: it must not be cut off mid-upload, or the client sees a reset, not the problem)."""
    response = problem_response(error, instance)
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    await send({"type": "http.response.body", "body": response.body})


# --- exception handlers -----------------------------------------------------------------------


def install_problem_handlers(app: FastAPI, *, field_codes: Mapping[str, str] | None = None) -> None:
    """Make every error of ``app`` a problem+json response.

    Args:
        app: the FastAPI app.
        field_codes: input field name (the last name in a validation error's ``loc``, e.g.
            ``"candidate"`` or the header ``"last-event-id"``) → the stable code a request gets
            when every invalid field is of that name (else ``validation_error``).
    """
    codes = dict(field_codes or {})

    async def triage_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TriageError)
        return problem_response(exc, request.url.path)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return problem_response(_from_validation(list(exc.errors()), codes), request.url.path)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if isinstance(exc.__cause__, TriageError):
            # FastAPI wraps errors raised while reading the body (the size cap) in a plain 400.
            return problem_response(exc.__cause__, request.url.path)
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # FastAPI's "error parsing the body": not UTF-8, or a number past the digit limit.
            return problem_response(_invalid_json(), request.url.path)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.scope))
        body = Problem(
            title=str(exc.detail),
            status=exc.status_code,
            code=_HTTP_CODES.get(exc.status_code, "http_error"),
            instance=request.url.path,
        )
        return JSONResponse(
            body.to_json(),
            status_code=exc.status_code,
            media_type=PROBLEM_CONTENT_TYPE,
            headers=headers or None,
        )

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(TriageError("unexpected server error"), request.url.path)

    app.add_exception_handler(TriageError, triage_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route of ``app`` fully matches at the request's path (Starlette names
    only the first matching route's in its 405, so a path with GET and DELETE routes would hide
    DELETE). Asks the routes themselves, so nested routers count too."""
    allowed = []
    for method in _METHODS:
        probe = {**scope, "method": method}
        if any(route.matches(probe)[0] is Match.FULL for route in app.router.routes):
            allowed.append(method)
    return allowed


def _invalid_json() -> BadRequest:
    return BadRequest("the body is not valid JSON (UTF-8)", code="invalid_json")


def _from_validation(errors: list[Any], field_codes: Mapping[str, str]) -> TriageError:
    if any(err.get("type") == "json_invalid" for err in errors):
        return _invalid_json()
    fields = [
        FieldError(
            loc=[part for part in err.get("loc", ()) if isinstance(part, str | int)],
            msg=str(err.get("msg", "invalid")),
            type=str(err.get("type", "invalid")),
        )
        for err in errors[:MAX_FIELD_ERRORS]
    ]
    owners = {_field_code(field.loc, field_codes) for field in fields}
    code = owners.pop() if len(owners) == 1 else None
    names = ", ".join(".".join(str(part) for part in field.loc) for field in fields)
    return Unprocessable(
        f"invalid request: {names}", code=code or "validation_error", errors=fields
    )


def _field_code(loc: list[str | int], field_codes: Mapping[str, str]) -> str | None:
    names = [part for part in loc if isinstance(part, str)]
    return field_codes.get(names[-1].lower()) if names else None


# --- request guard (ASGI) ---------------------------------------------------------------------


class RequestGuard:
    """Body size cap and JSON content-type check, before anything parses the request.

    Args:
        app: the wrapped ASGI app.
        limit_for: the body limit in bytes for a path. Every body must be ``application/json``
            (or ``application/*+json``): both APIs take nothing else.
    """

    def __init__(self, app: ASGIApp, *, limit_for: LimitFor) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = self.limit_for(path)
        raw_length = _header(scope, b"content-length")
        if raw_length is not None and not (raw_length.isascii() and raw_length.isdigit()):
            await send_problem(
                send,
                BadRequest("Content-Length is not a number", code="invalid_content_length"),
                path,
            )
            return
        declared = int(raw_length) if raw_length is not None else None
        if declared is not None and declared > limit:
            await send_problem(send, _too_large(limit), path)
            return
        has_body = bool(declared) or _header(scope, b"transfer-encoding") is not None
        if has_body and scope["method"] in _BODY_METHODS:
            content_type = _header(scope, b"content-type")
            if not _is_json(content_type):
                await send_problem(
                    send,
                    UnsupportedMediaType(
                        "send the body as application/json", code="unsupported_media_type"
                    ),
                    path,
                )
                return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, counted_receive, send)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"request body exceeds {limit} bytes", code="payload_too_large")


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    mime = MimeMessage()
    mime["content-type"] = content_type
    main, sub = mime.get_content_maintype(), mime.get_content_subtype()
    return main == "application" and (sub == "json" or sub.endswith("+json"))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


# --- OpenAPI ----------------------------------------------------------------------------------

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_ERROR_DESCRIPTIONS = {
    "400": "Malformed request (`invalid_json`, `invalid_content_length`)",
    "413": "Body too large (`payload_too_large`)",
    "415": "Body not sent as application/json (`unsupported_media_type`)",
    "422": "Invalid input (`validation_error` or a field's own code)",
    "500": "Unexpected server error (`internal_error`)",
    "503": "Dependency unavailable, e.g. `storage_unavailable`; see `Retry-After`",
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Make a FastAPI-generated OpenAPI document describe :func:`install_problem_handlers`:
    error responses as ``application/problem+json`` with the :class:`Problem` schema, and the
    errors every operation can meet documented. Returns the same (mutated) document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem_schema.pop("$defs", {}))
    components["Problem"] = problem_schema
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            wanted = ["500", "503"]
            if "requestBody" in operation:
                wanted += ["400", "413", "415", "422"]
            if operation.get("parameters"):
                wanted.append("422")
            for status in wanted:
                responses.setdefault(status, {"description": _ERROR_DESCRIPTIONS[status]})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": _PROBLEM_REF}}
                    if response.get("description") in {"Validation Error", "Additional Response"}:
                        response["description"] = _ERROR_DESCRIPTIONS.get(status, "Error")
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema
