"""The one place errors become HTTP: every failure leaves as ``application/problem+json``.

* :class:`~shared.problems.TriageError` → its status and stable ``code``.
* Request validation → 422 ``validation_error`` listing field errors (input values are never
  echoed: they may be health data); malformed JSON → 400 ``invalid_json``.
* Starlette's own 404/405 → ``not_found`` / ``method_not_allowed``.
* Anything else → 500 ``internal_error`` (logged with its traceback, never sent).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.problems import (
    PROBLEM_CONTENT_TYPE,
    BadRequest,
    FieldError,
    Problem,
    TriageError,
    Unprocessable,
)

log = logging.getLogger(__name__)

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def problem_response(error: TriageError, request: Request) -> JSONResponse:
    problem = error.to_problem(instance=request.url.path)
    return JSONResponse(
        problem.to_json(),
        status_code=problem.status,
        media_type=PROBLEM_CONTENT_TYPE,
        headers=error.headers or None,
    )


async def _triage_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TriageError)
    return problem_response(exc, request)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(err.get("type") == "json_invalid" for err in errors):
        invalid = BadRequest("the body is not valid JSON", code="invalid_json")
        return problem_response(invalid, request)
    fields = [
        FieldError(
            loc=[part for part in err.get("loc", ()) if isinstance(part, str | int)],
            msg=str(err.get("msg", "invalid")),
            type=str(err.get("type", "invalid")),
        )
        for err in errors
    ]
    names = ", ".join(".".join(str(p) for p in f.loc) for f in fields)
    error = Unprocessable(f"invalid request: {names}", code="validation_error", errors=fields)
    return problem_response(error, request)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, TriageError):
        # FastAPI wraps errors raised while reading the body (our size cap) in a plain 400.
        return problem_response(exc.__cause__, request)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    body = Problem(title=str(exc.detail), status=exc.status_code, code=code)
    return JSONResponse(
        body.to_json(),
        status_code=exc.status_code,
        media_type=PROBLEM_CONTENT_TYPE,
        headers=dict(exc.headers or {}),
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(TriageError("unexpected server error"), request)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(TriageError, _triage_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
