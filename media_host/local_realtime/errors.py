"""Errors in the hosted Realtime API's wire shape, and the id format of server objects."""

from __future__ import annotations

import secrets
import string
from typing import Any

_ID_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str) -> str:
    """An id shaped like the hosted service's (``event_``/``item_``/``resp_``… + 21 chars)."""
    return prefix + "_" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(21))


def obfuscation() -> str:
    """Opaque padding like the hosted service's ``obfuscation`` field on GA text deltas."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(4 + secrets.randbelow(12)))


class ProtocolError(Exception):
    """A client request the service rejects with an ``error`` event (non-fatal by default).

    Args:
        message: Human-readable message, worded like the hosted service where known.
        code: Machine code (``None`` where the hosted service sends ``null``).
        param: Offending parameter path, e.g. ``session.audio.input.format.rate``.
        error_type: Error family; ``invalid_request_error`` for client mistakes.
    """

    def __init__(
        self,
        message: str,
        code: str | None = None,
        param: str | None = None,
        error_type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.error_type = error_type


def error_event(error: ProtocolError, client_event_id: str | None = None) -> dict[str, Any]:
    """Build a GA ``error`` server event.

    Args:
        error: The rejection.
        client_event_id: The ``event_id`` of the client event that caused it, if it had one
            (the hosted service echoes it in ``error.event_id``).
    """
    return {
        "type": "error",
        "event_id": new_id("event"),
        "error": {
            "type": error.error_type,
            "code": error.code,
            "message": error.message,
            "param": error.param,
            "event_id": client_event_id,
        },
    }


def missing(param: str) -> ProtocolError:
    """``missing_required_parameter`` for ``param``."""
    return ProtocolError(
        f"Missing required parameter: '{param}'.", "missing_required_parameter", param
    )


def unknown(param: str) -> ProtocolError:
    """``unknown_parameter`` for ``param``."""
    return ProtocolError(f"Unknown parameter: '{param}'.", "unknown_parameter", param)


def _quoted_list(values: list[str]) -> str:
    quoted = [f"'{v}'" for v in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + (", and " if len(quoted) > 2 else " and ") + quoted[-1]


def invalid_value(value: object, supported: list[str], param: str) -> ProtocolError:
    """``invalid_value`` listing the supported values, like the hosted service."""
    shown = str(value)[:64]
    return ProtocolError(
        f"Invalid value: '{shown}'. Supported values are: {_quoted_list(supported)}.",
        "invalid_value",
        param,
    )


_JSON_TYPE_NAMES = {
    bool: "a boolean",
    int: "an integer",
    float: "a decimal",
    str: "a string",
    list: "an array",
    dict: "an object",
    type(None): "null",
}


def invalid_type(param: str, expected: str, value: object) -> ProtocolError:
    """``invalid_type``: e.g. expected an integer, but got a string instead."""
    got = _JSON_TYPE_NAMES.get(type(value), "an unsupported value")
    return ProtocolError(
        f"Invalid type for '{param}': expected {expected}, but got {got} instead.",
        "invalid_type",
        param,
    )
