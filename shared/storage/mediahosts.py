"""The media-host registry (table ``mediahosts``): heartbeats in, least-loaded host out.

Layout: PartitionKey = ``"mediahost"`` (the whole registry is a handful of rows, read in one
query), RowKey = host id. Each host upserts its own row on every heartbeat: this is the one table
where an upsert is right, because the row is the host's self-reported, last-writer-wins state.
Between heartbeats the control plane bumps ``active_sessions`` when it places an offer
(ETag-guarded), so a burst of offers spreads over hosts instead of piling on one; the host's next
heartbeat overwrites the count with its real one, which is what makes the reservation a lease.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode
from azure.data.tables.aio import TableClient
from pydantic import BaseModel, Field

from shared.problems import NotFound
from shared.storage.tables import MEDIAHOSTS, TableStore, storage_errors

PARTITION: Final = "mediahost"


class MediaHostRecord(BaseModel):
    """One media host as it last described itself."""

    host_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:-]+$")
    internal_url: str = Field(min_length=1, max_length=512)
    capacity: int = Field(ge=0)
    active_sessions: int = Field(default=0, ge=0)
    draining: bool = False
    last_heartbeat: datetime = Field(default_factory=lambda: datetime.now(UTC))

    def is_available(self, now: datetime, freshness_s: float) -> bool:
        fresh = now - self.last_heartbeat <= timedelta(seconds=freshness_s)
        return fresh and not self.draining and self.active_sessions < self.capacity

    @property
    def load(self) -> float:
        return self.active_sessions / self.capacity if self.capacity else 1.0


class MediaHostRegistry:
    """Read and write the registry."""

    def __init__(self, store: TableStore) -> None:
        self._store = store

    @property
    def _table(self) -> TableClient:
        return self._store.table(MEDIAHOSTS)

    async def heartbeat(self, record: MediaHostRecord) -> None:
        """Upsert the host's row (replace: the host's own report is the truth)."""
        entity = {
            "PartitionKey": PARTITION,
            "RowKey": record.host_id,
            "internal_url": record.internal_url,
            "capacity": record.capacity,
            "active_sessions": record.active_sessions,
            "draining": record.draining,
            "last_heartbeat": record.last_heartbeat.isoformat(),
        }
        async with storage_errors("record a media host heartbeat"):
            await self._table.upsert_entity(entity, mode=UpdateMode.REPLACE)

    async def get(self, host_id: str) -> MediaHostRecord:
        async with storage_errors("read a media host"):
            try:
                entity = await self._table.get_entity(PARTITION, host_id)
            except ResourceNotFoundError:
                raise NotFound("no such media host", code="media_host_not_found") from None
        return _record_from_entity(entity)

    async def list_hosts(self) -> list[MediaHostRecord]:
        async with storage_errors("list media hosts"):
            return [
                _record_from_entity(entity)
                async for entity in self._table.query_entities(
                    "PartitionKey eq @pk", parameters={"pk": PARTITION}
                )
            ]

    async def pick(
        self,
        *,
        freshness_s: float = 30,
        now: datetime | None = None,
        exclude: Collection[str] = (),
    ) -> MediaHostRecord | None:
        """The least-loaded available host (fresh heartbeat, not draining, below capacity),
        other than those in ``exclude`` (e.g. the host a session just lost)."""
        now = now or datetime.now(UTC)
        hosts = await self.list_hosts()
        available = [
            host
            for host in hosts
            if host.host_id not in exclude and host.is_available(now, freshness_s)
        ]
        if not available:
            return None
        return min(available, key=lambda host: (host.load, host.active_sessions, host.host_id))

    async def reserve(self, host_id: str) -> bool:
        """Count one more session on the host until its next heartbeat. False if it raced.

        This is the capacity lease of an offer: the host's next heartbeat replaces the count with
        the calls it really has, so a reservation whose offer failed (or whose call ended) lapses
        within one heartbeat interval without anyone releasing it.
        """
        async with storage_errors("reserve media host capacity"):
            try:
                entity = await self._table.get_entity(PARTITION, host_id)
                await self._table.update_entity(
                    {
                        "PartitionKey": PARTITION,
                        "RowKey": host_id,
                        "active_sessions": int(entity.get("active_sessions", 0)) + 1,
                    },
                    mode=UpdateMode.MERGE,
                    etag=entity.metadata.get("etag"),
                    match_condition=MatchConditions.IfNotModified,
                )
            except (ResourceModifiedError, ResourceNotFoundError):
                return False
        return True

    async def remove(self, host_id: str) -> None:
        """Delete the host's row (idempotent), e.g. on graceful shutdown."""
        async with storage_errors("remove a media host"):
            await self._table.delete_entity(PARTITION, host_id)


def _record_from_entity(entity: Mapping[str, Any]) -> MediaHostRecord:
    return MediaHostRecord(
        host_id=entity["RowKey"],
        internal_url=entity["internal_url"],
        capacity=int(entity["capacity"]),
        active_sessions=int(entity.get("active_sessions", 0)),
        draining=bool(entity.get("draining", False)),
        last_heartbeat=datetime.fromisoformat(entity["last_heartbeat"]),
    )
