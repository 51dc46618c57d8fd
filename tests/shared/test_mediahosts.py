"""MediaHostRegistry on the real Azurite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.problems import NotFound
from shared.storage import MediaHostRecord, MediaHostRegistry, TableStore


def host(host_id: str, active: int, capacity: int = 10, **kw: object) -> MediaHostRecord:
    return MediaHostRecord(
        host_id=host_id,
        internal_url=f"http://{host_id}:8080",
        capacity=capacity,
        active_sessions=active,
        **kw,  # type: ignore[arg-type]
    )


async def test_pick_least_loaded_fresh_available_host(store: TableStore) -> None:
    registry = MediaHostRegistry(store)
    assert await registry.pick() is None
    stale = datetime.now(UTC) - timedelta(minutes=5)
    await registry.heartbeat(host("busy", 8))
    await registry.heartbeat(host("idle-but-stale", 0, last_heartbeat=stale))
    await registry.heartbeat(host("draining", 0, draining=True))
    await registry.heartbeat(host("full", 4, capacity=4))
    await registry.heartbeat(host("light", 3))
    picked = await registry.pick(freshness_s=30)
    assert picked is not None and picked.host_id == "light"
    assert await registry.reserve("light")
    assert (await registry.get("light")).active_sessions == 4
    await registry.heartbeat(host("light", 9))  # the host's own report wins
    picked = await registry.pick()
    assert picked is not None and picked.host_id == "busy"


async def test_get_and_remove(store: TableStore) -> None:
    registry = MediaHostRegistry(store)
    await registry.heartbeat(host("h1", 0))
    assert (await registry.get("h1")).internal_url == "http://h1:8080"
    await registry.remove("h1")
    await registry.remove("h1")  # idempotent
    with pytest.raises(NotFound):
        await registry.get("h1")
    assert not await registry.reserve("h1")
