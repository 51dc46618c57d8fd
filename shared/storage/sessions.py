"""Session entities in the ``sessions`` table, changed only through ETag-guarded updates.

Layout: PartitionKey = session id, RowKey = ``"session"`` (one partition per session spreads load).
A second, immutable row per session maps the token hash to its session
(PartitionKey = ``"token-" + sha256(token)``, RowKey = ``"token"``): it lets the API tell a wrong
token (401) from a valid token presented for another session (404) without scanning.
A third kind of row indexes the sessions placed on each media host
(PartitionKey = ``"host-" + host id``, RowKey = session id), written when a host is assigned, so
that the control plane can find a dead host's sessions with one partition query; rows of sessions
that ended or moved are removed lazily by the sweep that reads them.
Every change is read → modify → ``update_entity(match_condition=IfNotModified)``; a 412 means a
concurrent writer won, so the change is re-applied to the fresh entity (bounded retries). Status
changes are checked against :mod:`shared.session_state`; a terminal session never reopens.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Final

from azure.core import MatchConditions
from azure.core.exceptions import (
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.data.tables import UpdateMode
from azure.data.tables.aio import TableClient
from pydantic import BaseModel

from shared.events import SessionStatus
from shared.metrics import count_storage_retry
from shared.problems import Conflict, NotFound, StorageError
from shared.session_state import can_transition
from shared.storage.chunks import join_property, split_property
from shared.storage.event_log import validate_session_key
from shared.storage.tables import SESSIONS, TableStore, storage_errors

ROW_KEY: Final = "session"
TOKEN_ROW_KEY: Final = "token"  # noqa: S105 - a row key, not a secret
TOKEN_PARTITION_PREFIX: Final = "token-"  # noqa: S105
HOST_PARTITION_PREFIX: Final = "host-"
_MAX_SESSIONS_PER_HOST_QUERY: Final = 10_000
MAX_SUMMARY_CHARS: Final = 300_000  # chunked across summary_0..n; stays well under 1 MiB
_MAX_ETAG_RETRIES: Final = 10


class SessionRecord(BaseModel):
    """A session as stored (``token_hash`` is a SHA-256 digest, never the token)."""

    session_id: str
    status: SessionStatus
    status_detail: str = ""
    language: str
    user_id: str | None = None
    token_hash: str
    media_host_id: str | None = None
    media_host_url: str | None = None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    offer_accepted: bool = False
    summary: dict[str, Any] | None = None
    # W3C traceparent of the span that created the session: later requests for the session, and
    # the media host's call, continue that trace (one trace per session; shared/telemetry.py).
    trace_parent: str | None = None
    etag: str | None = None

    def is_expired(self, now: datetime) -> bool:
        """Past its expiry, or already marked expired."""
        return self.status is SessionStatus.EXPIRED or now >= self.expires_at


Mutation = Callable[[SessionRecord], dict[str, Any] | None]


class _Any(Enum):
    HOST = "any"


ANY_HOST: Final = _Any.HOST  # assign_host(replacing=...) default: whatever host it had


class SessionStore:
    """Create, read and change session entities."""

    def __init__(self, store: TableStore) -> None:
        self._store = store

    @property
    def _table(self) -> TableClient:
        return self._store.table(SESSIONS)

    async def create(
        self,
        *,
        session_id: str,
        language: str,
        token_hash: str,
        expires_at: datetime,
        user_id: str | None = None,
        media_host_id: str | None = None,
        media_host_url: str | None = None,
        now: datetime | None = None,
        trace_parent: str | None = None,
    ) -> SessionRecord:
        """Insert a new session in status ``created``; Conflict if the id exists."""
        validate_session_key(session_id)
        now = now or datetime.now(UTC)
        entity: dict[str, Any] = {
            "PartitionKey": session_id,
            "RowKey": ROW_KEY,
            "status": SessionStatus.CREATED.value,
            "status_detail": "",
            "language": language,
            "user_id": user_id,
            "token_hash": token_hash,
            "media_host_id": media_host_id,
            "media_host_url": media_host_url,
            "created_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "expires_at": expires_at.isoformat(),
            "offer_accepted": False,
            "trace_parent": trace_parent,
        }
        entity = {key: value for key, value in entity.items() if value is not None}
        token_row = {
            "PartitionKey": TOKEN_PARTITION_PREFIX + token_hash,
            "RowKey": TOKEN_ROW_KEY,
            "session_id": session_id,
        }
        async with storage_errors("create a session"):
            try:
                # Written first: an orphan index row (if the session insert then fails) is inert.
                await self._table.create_entity(token_row)
            except ResourceExistsError:
                raise Conflict("token already in use", code="session_exists") from None
            try:
                meta = await self._table.create_entity(entity)
            except ResourceExistsError:
                raise Conflict("session id already exists", code="session_exists") from None
        return _record_from_entity({**entity, "etag": meta.get("etag")})

    async def get(self, session_id: str) -> SessionRecord:
        """The session, or :class:`NotFound`."""
        return _record_from_entity(await self._get_entity(session_id))

    async def session_for_token(self, token_hash: str) -> str | None:
        """The id of the session a token (by its hash) belongs to, or ``None``."""
        if len(token_hash) != 64:
            return None
        async with storage_errors("look up a session token"):
            try:
                row = await self._table.get_entity(
                    TOKEN_PARTITION_PREFIX + token_hash, TOKEN_ROW_KEY
                )
            except ResourceNotFoundError:
                return None
        return str(row["session_id"])

    async def transition(
        self, session_id: str, to: SessionStatus, *, detail: str = ""
    ) -> SessionRecord:
        """Move the session to ``to``.

        A same-status call is a no-op (returns the current record). An illegal move (e.g. out of
        a terminal state) raises :class:`Conflict` with code ``illegal_transition``.
        """
        record, _changed = await self.try_transition(session_id, to, detail=detail)
        return record

    async def try_transition(
        self, session_id: str, to: SessionStatus, *, detail: str = ""
    ) -> tuple[SessionRecord, bool]:
        """Like :meth:`transition`, also saying whether this call changed the status (so exactly
        one of several racing callers announces it with a ``status_update`` event)."""
        changed = False

        def change(record: SessionRecord) -> dict[str, Any] | None:
            nonlocal changed
            changed = False  # re-evaluated on every ETag retry
            if record.status is to:
                return None
            if not can_transition(record.status, to):
                raise Conflict(
                    f"session cannot go from {record.status.value} to {to.value}",
                    code="illegal_transition",
                )
            changed = True
            return {"status": to.value, "status_detail": detail[:1_000]}

        record = await self._mutate(session_id, change)
        return record, changed

    async def assign_host(
        self,
        session_id: str,
        *,
        host_id: str,
        host_url: str,
        replacing: str | _Any | None = ANY_HOST,
    ) -> SessionRecord:
        """Record which media host owns the session (and index it under the host).

        With ``replacing`` (the host id the caller saw, ``None`` for none), the assignment only
        happens if the session still has that host: of two racing placements the first wins and
        the other gets the winner's record back (compare ``media_host_id``).
        """
        validate_session_key(session_id)
        async with storage_errors("index a session under its media host"):
            await self._table.upsert_entity(
                {"PartitionKey": HOST_PARTITION_PREFIX + host_id, "RowKey": session_id},
                mode=UpdateMode.REPLACE,
            )

        def change(record: SessionRecord) -> dict[str, Any] | None:
            if (record.media_host_id, record.media_host_url) == (host_id, host_url):
                return None
            if replacing is not ANY_HOST and record.media_host_id != replacing:
                return None  # another placement won the race
            return {"media_host_id": host_id, "media_host_url": host_url}

        return await self._mutate(session_id, change)

    async def sessions_on_host(self, host_id: str) -> list[str]:
        """Ids of the sessions indexed under ``host_id`` (live ones and not yet cleaned up)."""
        async with storage_errors("list a media host's sessions"):
            ids: list[str] = []
            async for row in self._table.query_entities(
                "PartitionKey eq @pk", parameters={"pk": HOST_PARTITION_PREFIX + host_id}
            ):
                ids.append(str(row["RowKey"]))
                if len(ids) >= _MAX_SESSIONS_PER_HOST_QUERY:
                    break
        return ids

    async def forget_host_session(self, host_id: str, session_id: str) -> None:
        """Drop the index row of a session that left ``host_id`` (idempotent)."""
        async with storage_errors("unindex a session from its media host"):
            await self._table.delete_entity(HOST_PARTITION_PREFIX + host_id, session_id)

    async def mark_offer_accepted(self, session_id: str) -> SessionRecord:
        """Note that the host answered an offer (idempotent)."""
        return await self._mutate(
            session_id, lambda record: None if record.offer_accepted else {"offer_accepted": True}
        )

    async def set_summary(self, session_id: str, summary: dict[str, Any]) -> SessionRecord:
        """Store the final intake summary (JSON, chunked across ``summary_0..n`` properties).

        Raises:
            PayloadTooLarge: the JSON exceeds :data:`MAX_SUMMARY_CHARS` (code
                ``summary_too_large``).
        """
        text = json.dumps(summary, ensure_ascii=False, separators=(",", ":"))
        props = split_property("summary", text, max_chars=MAX_SUMMARY_CHARS)
        return await self._mutate(session_id, lambda _record: dict(props))

    async def expire_if_due(self, session_id: str, *, now: datetime | None = None) -> SessionRecord:
        """Mark the session ``expired`` if it is past ``expires_at`` and not over yet."""
        record, _changed = await self.try_expire(session_id, now=now)
        return record

    async def try_expire(
        self, session_id: str, *, now: datetime | None = None
    ) -> tuple[SessionRecord, bool]:
        """Like :meth:`expire_if_due`, also saying whether this call expired it."""
        now = now or datetime.now(UTC)
        changed = False

        def change(record: SessionRecord) -> dict[str, Any] | None:
            nonlocal changed
            changed = False  # re-evaluated on every ETag retry
            if record.status.is_terminal or now < record.expires_at:
                return None
            changed = True
            return {"status": SessionStatus.EXPIRED.value, "status_detail": "session TTL elapsed"}

        record = await self._mutate(session_id, change)
        return record, changed

    async def _get_entity(self, session_id: str) -> dict[str, Any]:
        validate_session_key(session_id)
        async with storage_errors("read a session"):
            try:
                entity = await self._table.get_entity(session_id, ROW_KEY)
            except ResourceNotFoundError:
                raise NotFound("no such session", code="session_not_found") from None
        return {**entity, "etag": entity.metadata.get("etag")}

    async def _mutate(self, session_id: str, change: Mutation) -> SessionRecord:
        """Apply ``change`` under an ETag guard, re-reading and retrying when another writer won."""
        for attempt in range(_MAX_ETAG_RETRIES):
            entity = await self._get_entity(session_id)
            record = _record_from_entity(entity)
            updates = change(record)
            if updates is None:
                return record
            updates["updated_at"] = datetime.now(UTC).isoformat()
            patch = {"PartitionKey": session_id, "RowKey": ROW_KEY, **updates}
            async with storage_errors("update a session"):
                try:
                    meta = await self._table.update_entity(
                        patch,
                        mode=UpdateMode.MERGE,
                        etag=entity["etag"],
                        match_condition=MatchConditions.IfNotModified,
                    )
                except ResourceModifiedError:
                    count_storage_retry("session_etag")
                    await asyncio.sleep(0.005 * (attempt + 1))
                    continue
                except ResourceNotFoundError:
                    raise NotFound("no such session", code="session_not_found") from None
            merged = {**entity, **updates, "etag": meta.get("etag")}
            return _record_from_entity(merged)
        raise StorageError("session kept changing under concurrent writers", code="session_busy")


def _record_from_entity(entity: Mapping[str, Any]) -> SessionRecord:
    summary_json = join_property("summary", entity)
    return SessionRecord(
        session_id=entity["PartitionKey"],
        status=SessionStatus(entity["status"]),
        status_detail=entity.get("status_detail") or "",
        language=entity["language"],
        user_id=entity.get("user_id"),
        token_hash=entity["token_hash"],
        media_host_id=entity.get("media_host_id"),
        media_host_url=entity.get("media_host_url"),
        created_at=datetime.fromisoformat(entity["created_at"]),
        updated_at=datetime.fromisoformat(entity["updated_at"]),
        expires_at=datetime.fromisoformat(entity["expires_at"]),
        offer_accepted=bool(entity.get("offer_accepted", False)),
        summary=json.loads(summary_json) if summary_json is not None else None,
        trace_parent=entity.get("trace_parent"),
        etag=entity.get("etag"),
    )
