"""How checkpoints and pending writes are laid out as Azure Table Storage rows.

Layout (one table, one partition per LangGraph thread)::

    PartitionKey  escape(thread_id)
    RowKey        c|<escape(ns)>|<inverted checkpoint id>                  the checkpoint
                  c|<escape(ns)>|<inverted id>|x|0001                      overflow of its payload
                  c|<escape(ns)>|<inverted id>|w|<escape(task_id)>|<idx>   one pending write
                  c|<escape(ns)>|<inverted id>|w|<task>|<idx>|x|0001       overflow of a write

Why this shape:

* Every row of one checkpoint shares a RowKey prefix, so a single range query returns the
  checkpoint together with its pending writes.
* Checkpoint ids are UUIDv6 (time ordered). Their hex digits are inverted in the key
  (``0``↔``f``), so ascending RowKey order — the only order Table Storage returns — is
  newest-first; "latest checkpoint" is the first row of a range query.
* Table Storage limits: a binary property holds at most 64 KiB, an entity at most 1 MiB and
  252 custom properties, keys at most 1 KiB and without ``/ \\ # ?`` or control characters.
  Serialized payloads are framed into one byte string, cut into 64000-byte chunks and spread
  over up to :data:`CHUNKS_PER_ROW` properties per row; bigger payloads continue in overflow
  rows. Key components are escaped with ``~XX`` (UTF-8 hex), which also removes ``|``, so the
  separator is unambiguous.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CHUNK_BYTES = 64_000  # < 64 KiB binary property limit
# 10 × 64000 B per row: Azure counts binary at its raw size (1 MiB limit), but Azurite (and the
# wire) count base64 (4/3 larger), so stay under 1 MiB either way.
CHUNKS_PER_ROW = 10
MAX_KEY_CHARS = 512  # keys are limited to 1 KiB; stay well inside it
MAX_PAYLOAD_BYTES = 64 * 1024 * 1024  # refuse absurd payloads instead of writing 1000s of rows

KIND_CHECKPOINT = "checkpoint"
KIND_WRITE = "write"
KIND_PART = "part"

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_INVERT = str.maketrans("0123456789abcdef", "fedcba9876543210")


def escape_key(value: str) -> str:
    """Escape one key component: unsafe characters become ``~XX`` per UTF-8 byte.

    Raises:
        ValueError: the value is not a string or the escaped form is too long for a key.
    """
    if not isinstance(value, str):
        raise ValueError("checkpoint key components must be strings")
    out = [ch if ch in _SAFE else "".join(f"~{b:02x}" for b in ch.encode()) for ch in value]
    escaped = "".join(out)
    if len(escaped) > MAX_KEY_CHARS:
        raise ValueError(f"key component too long for Table Storage ({len(escaped)} chars)")
    return escaped


def invert_checkpoint_id(checkpoint_id: str) -> str:
    """Map a UUID checkpoint id to a key that sorts newest-first (self-inverse).

    Raises:
        ValueError: the id is not a lower-case UUID (LangGraph always uses UUIDv6).
    """
    if not _UUID_RE.match(checkpoint_id):
        raise ValueError("checkpoint ids must be lower-case UUIDs (LangGraph uses uuid6)")
    return checkpoint_id.translate(_INVERT)


def ns_prefix(checkpoint_ns: str) -> str:
    """RowKey prefix shared by every row of one checkpoint namespace."""
    return f"c|{escape_key(checkpoint_ns)}|"


def checkpoint_row_key(checkpoint_ns: str, checkpoint_id: str) -> str:
    return ns_prefix(checkpoint_ns) + invert_checkpoint_id(checkpoint_id)


def write_row_key(checkpoint_ns: str, checkpoint_id: str, task_id: str, idx: int) -> str:
    return f"{checkpoint_row_key(checkpoint_ns, checkpoint_id)}|w|{escape_key(task_id)}|{idx}"


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def odata_quote(value: str) -> str:
    """Quote a string literal for an OData filter."""
    return "'" + value.replace("'", "''") + "'"


def range_filter(partition_key: str, prefix: str) -> str:
    """OData filter selecting the rows of one partition whose RowKey starts with ``prefix``."""
    return (
        f"PartitionKey eq {odata_quote(partition_key)} and "
        f"RowKey ge {odata_quote(prefix)} and RowKey lt {odata_quote(prefix_upper_bound(prefix))}"
    )


# --- payload framing -------------------------------------------------------------------------


def frame(parts: Iterable[tuple[str, bytes]]) -> bytes:
    """Join serde ``(type, bytes)`` pairs into one byte string."""
    out = bytearray()
    for type_name, data in parts:
        encoded = type_name.encode()
        out += struct.pack(">H", len(encoded)) + encoded + struct.pack(">I", len(data)) + data
    if len(out) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"serialized checkpoint too large ({len(out)} bytes)")
    return bytes(out)


def unframe(payload: bytes) -> list[tuple[str, bytes]]:
    """Split a framed payload back into serde ``(type, bytes)`` pairs."""
    parts: list[tuple[str, bytes]] = []
    pos = 0
    while pos < len(payload):
        (type_len,) = struct.unpack_from(">H", payload, pos)
        pos += 2
        type_name = payload[pos : pos + type_len].decode()
        pos += type_len
        (data_len,) = struct.unpack_from(">I", payload, pos)
        pos += 4
        parts.append((type_name, payload[pos : pos + data_len]))
        pos += data_len
    return parts


def _chunk_prop(i: int) -> str:
    return f"d{i:02d}"


def build_rows(
    partition_key: str, row_key: str, payload: bytes, props: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Rows storing ``payload`` under ``row_key``: overflow rows first, the main row last.

    The main row carries ``props`` and the total chunk/overflow counts. Writing it last means a
    reader never sees a main row whose overflow rows are missing.
    """
    chunks = [payload[i : i + CHUNK_BYTES] for i in range(0, len(payload), CHUNK_BYTES)] or [b""]
    groups = [chunks[i : i + CHUNKS_PER_ROW] for i in range(0, len(chunks), CHUNKS_PER_ROW)]
    main: dict[str, Any] = {
        "PartitionKey": partition_key,
        "RowKey": row_key,
        **props,
        "n_chunks": len(chunks),
        "n_overflow": len(groups) - 1,
    }
    main.update({_chunk_prop(i): c for i, c in enumerate(groups[0])})
    rows: list[dict[str, Any]] = []
    for n, group in enumerate(groups[1:], start=1):
        part: dict[str, Any] = {
            "PartitionKey": partition_key,
            "RowKey": f"{row_key}|x|{n:04d}",
            "kind": KIND_PART,
        }
        part.update({_chunk_prop(i): c for i, c in enumerate(group)})
        rows.append(part)
    rows.append(main)
    return rows


def read_payload(main: Mapping[str, Any], overflow: Mapping[str, Mapping[str, Any]]) -> bytes:
    """Reassemble the payload of ``main`` from its chunks and overflow rows (by RowKey).

    Raises:
        ValueError: an overflow row or chunk is missing (a torn write).
    """
    n_chunks = int(main["n_chunks"])
    out = bytearray()
    rows = [main] + [
        overflow.get(f"{main['RowKey']}|x|{n:04d}", {})
        for n in range(1, int(main["n_overflow"]) + 1)
    ]
    for index in range(n_chunks):
        row = rows[index // CHUNKS_PER_ROW]
        chunk = row.get(_chunk_prop(index % CHUNKS_PER_ROW))
        if chunk is None:
            raise ValueError("checkpoint payload incomplete (missing chunk)")
        out += bytes(chunk)
    return bytes(out)


def entity_size(row: Mapping[str, Any]) -> int:
    """Approximate stored size of a row, for keeping transactions under 4 MiB."""
    size = 4
    for key, value in row.items():
        size += 8 + 2 * len(key)
        if isinstance(value, bytes | bytearray):
            size += 4 + len(value)
        elif isinstance(value, str):
            size += 4 + 2 * len(value)
        else:
            size += 8
    return size


@dataclass
class CheckpointGroup:
    """All rows of one checkpoint as returned by a range query."""

    main: dict[str, Any] | None = None
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)
    writes: list[dict[str, Any]] = field(default_factory=list)


def group_key(row: Mapping[str, Any]) -> tuple[str, str] | None:
    """(PartitionKey, RowKey prefix of its checkpoint) — the same for every row of one
    checkpoint; None for a row that is not part of a checkpoint."""
    segments = str(row["RowKey"]).split("|")
    if len(segments) < 3 or segments[0] != "c":
        return None
    return str(row["PartitionKey"]), "|".join(segments[:3])


def group_rows(rows: Iterable[Mapping[str, Any]]) -> Iterable[CheckpointGroup]:
    """Group rows (in RowKey order) by checkpoint, yielding each group once it is complete."""
    current: CheckpointGroup | None = None
    current_key: tuple[str, str] | None = None
    for row in rows:
        key = group_key(row)
        if key is None:
            continue
        if key != current_key:
            if current is not None:
                yield current
            current, current_key = CheckpointGroup(), key
        assert current is not None
        kind = row.get("kind")
        if kind == KIND_CHECKPOINT:
            current.main = dict(row)
        elif kind == KIND_WRITE:
            current.writes.append(dict(row))
        elif kind == KIND_PART:
            current.parts[str(row["RowKey"])] = dict(row)
    if current is not None:
        yield current


class FirstGroupCollector:
    """Collects the rows of the first checkpoint of a newest-first row stream, reading at most
    :attr:`limit` rows.

    Reading the latest checkpoint asks for a first page of ``limit`` (2) rows: the checkpoint
    row, and a next row that is usually the previous checkpoint's — which shows the group is
    complete, so the common read is one query. When ``limit`` rows all belong to the first
    group it may go on (pending writes, overflow rows): :attr:`truncated` is then True and the
    caller reads that group with a query of its own instead of paging two rows at a time.
    """

    def __init__(self, limit: int = 2) -> None:
        self.limit = limit
        self.rows: list[dict[str, Any]] = []
        self.key: tuple[str, str] | None = None
        self.truncated = False

    def add(self, row: Mapping[str, Any]) -> bool:
        """Take one row; False when no further row is needed."""
        key = group_key(row)
        if key is None:
            return True
        if self.key is None:
            self.key = key
        elif key != self.key:
            return False  # the next checkpoint: the first one is complete
        self.rows.append(dict(row))
        if len(self.rows) >= self.limit:
            self.truncated = True
            return False
        return True
