"""A tiny validator vocabulary that rejects client payloads with the hosted service's error codes.

Each validator takes ``(value, param_path)`` and returns the (possibly normalised) value or raises
:class:`~media_host.local_realtime.errors.ProtocolError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from media_host.local_realtime.errors import (
    ProtocolError,
    invalid_type,
    invalid_value,
    missing,
    unknown,
)

Validator = Callable[[Any, str], Any]


def string(max_length: int = 16_384) -> Validator:
    """A JSON string of at most ``max_length`` characters."""

    def check(value: Any, param: str) -> Any:
        if not isinstance(value, str):
            raise invalid_type(param, "a string", value)
        if len(value) > max_length:
            raise ProtocolError(
                f"Invalid '{param}': string too long. Expected a string with maximum length "
                f"{max_length}, but got a string with length {len(value)} instead.",
                "string_above_max_length",
                param,
            )
        return value

    return check


def integer(minimum: int | None = None, maximum: int | None = None) -> Validator:
    """A JSON integer (booleans rejected) within optional bounds."""

    def check(value: Any, param: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid_type(param, "an integer", value)
        if minimum is not None and value < minimum:
            raise ProtocolError(f"Expected a value >= {minimum}", "integer_below_min_value", param)
        if maximum is not None and value > maximum:
            raise ProtocolError(f"Expected a value <= {maximum}", "integer_above_max_value", param)
        return value

    return check


def number(minimum: float, maximum: float) -> Validator:
    """A JSON number within bounds."""

    def check(value: Any, param: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid_type(param, "a decimal", value)
        if value < minimum:
            raise ProtocolError(f"Expected a value >= {minimum}", "decimal_below_min_value", param)
        if value > maximum:
            raise ProtocolError(f"Expected a value <= {maximum}", "decimal_above_max_value", param)
        return float(value)

    return check


def boolean() -> Validator:
    """A JSON boolean."""

    def check(value: Any, param: str) -> Any:
        if not isinstance(value, bool):
            raise invalid_type(param, "a boolean", value)
        return value

    return check


def enum(*values: str) -> Validator:
    """One of the given strings."""

    def check(value: Any, param: str) -> Any:
        if not isinstance(value, str):
            raise invalid_type(param, "one of " + ", ".join(values), value)
        if value not in values:
            raise invalid_value(value, list(values), param)
        return value

    return check


def nullable(inner: Validator) -> Validator:
    """``null`` or whatever ``inner`` accepts."""

    def check(value: Any, param: str) -> Any:
        return None if value is None else inner(value, param)

    return check


def one_of(*validators: Validator) -> Validator:
    """The first validator that accepts the value; the last one's error otherwise."""

    def check(value: Any, param: str) -> Any:
        error: ProtocolError | None = None
        for validator in validators:
            try:
                return validator(value, param)
            except ProtocolError as exc:
                error = exc
        assert error is not None
        raise error

    return check


def list_of(inner: Validator, max_items: int = 128) -> Validator:
    """A JSON array of at most ``max_items`` elements accepted by ``inner``."""

    def check(value: Any, param: str) -> Any:
        if not isinstance(value, list):
            raise invalid_type(param, "an array", value)
        if len(value) > max_items:
            raise ProtocolError(
                f"Invalid '{param}': array too long. Expected an array with maximum length "
                f"{max_items}, but got an array with length {len(value)} instead.",
                "array_above_max_length",
                param,
            )
        return [inner(item, f"{param}[{i}]") for i, item in enumerate(value)]

    return check


def any_json(max_depth: int = 16) -> Validator:
    """Any JSON value (already bounded by the frame size limit), depth-limited."""

    def depth(value: Any, level: int) -> int:
        if level > max_depth:
            return level
        if isinstance(value, dict):
            return max([depth(v, level + 1) for v in value.values()] or [level])
        if isinstance(value, list):
            return max([depth(v, level + 1) for v in value] or [level])
        return level

    def check(value: Any, param: str) -> Any:
        if depth(value, 0) > max_depth:
            raise ProtocolError(f"Invalid '{param}': nested too deeply.", "invalid_value", param)
        return value

    return check


def obj(fields: Mapping[str, Validator], required: tuple[str, ...] = ()) -> Validator:
    """A JSON object with only the given keys; ``required`` keys must be present."""

    def check(value: Any, param: str) -> Any:
        if not isinstance(value, dict):
            raise invalid_type(param, "an object", value)
        for key in value:
            if key not in fields:
                raise unknown(f"{param}.{key}" if param else str(key))
        for key in required:
            if key not in value:
                raise missing(f"{param}.{key}" if param else key)
        return {
            key: fields[key](item, f"{param}.{key}" if param else key)
            for key, item in value.items()
        }

    return check


def tagged(tag: str, variants: Mapping[str, Validator]) -> Validator:
    """An object whose ``tag`` field selects the validator (e.g. turn_detection.type)."""

    def check(value: Any, param: str) -> Any:
        if not isinstance(value, dict):
            raise invalid_type(param, "an object", value)
        if tag not in value:
            raise missing(f"{param}.{tag}")
        kind = value[tag]
        if not isinstance(kind, str) or kind not in variants:
            raise invalid_value(kind, list(variants), f"{param}.{tag}")
        return variants[kind](value, param)

    return check
