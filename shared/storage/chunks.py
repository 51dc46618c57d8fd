"""Store one long string across several Table Storage properties.

A string property holds at most 64 KiB, i.e. 32 Ki UTF-16 code units; an entity holds at most
1 MiB and 252 properties. JSON blobs (an event payload, the intake summary) are written as
``<name>_0 … <name>_<n-1>`` plus ``<name>_n`` (the count) and re-joined on read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.problems import PayloadTooLarge

CHUNK_CHARS = 30_000  # < 32,768 UTF-16 units even if every char were in the BMP
MAX_CHUNKED_CHARS = 300_000  # ≈ 600 KB as UTF-16: leaves headroom in a 1 MiB entity


def utf16_units(text: str) -> int:
    """How many UTF-16 code units the service will count for ``text``."""
    return len(text.encode("utf-16-le")) // 2


def split_property(name: str, text: str, *, max_chars: int = MAX_CHUNKED_CHARS) -> dict[str, Any]:
    """Properties holding ``text`` in chunks; :class:`PayloadTooLarge` beyond ``max_chars``."""
    if utf16_units(text) > max_chars:
        raise PayloadTooLarge(
            f"{name} is too large to store ({utf16_units(text)} > {max_chars} UTF-16 units)",
            code=f"{name}_too_large",
        )
    props: dict[str, Any] = {}
    pieces: list[str] = []
    start = 0
    while start < len(text):
        # Cut by code points but keep each piece under the UTF-16 limit (astral chars count 2).
        end = min(len(text), start + CHUNK_CHARS // 2 if _has_astral(text) else start + CHUNK_CHARS)
        pieces.append(text[start:end])
        start = end
    for index, piece in enumerate(pieces):
        props[f"{name}_{index}"] = piece
    props[f"{name}_n"] = len(pieces)
    return props


def join_property(name: str, entity: Mapping[str, Any]) -> str | None:
    """The string stored by :func:`split_property`, or ``None`` if the entity has none."""
    count = entity.get(f"{name}_n")
    if count is None:
        return None
    return "".join(str(entity.get(f"{name}_{index}", "")) for index in range(int(count)))


def cleared_properties(name: str, entity: Mapping[str, Any]) -> list[str]:
    """Names of the chunk properties an entity currently carries (to drop on replace)."""
    return [key for key in entity if key.startswith(f"{name}_")]


def _has_astral(text: str) -> bool:
    return any(ord(ch) > 0xFFFF for ch in text)
