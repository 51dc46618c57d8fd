"""Keeps this host's row in the ``mediahosts`` registry fresh, and takes it out on shutdown.

Every ``heartbeat_interval_s`` the host upserts its own row (capacity, active sessions, draining
flag, timestamp). The control plane only assigns sessions to hosts with a fresh heartbeat that
are not draining and below capacity, so:

- a crashed host stops getting sessions once its heartbeat is stale;
- a graceful shutdown first publishes ``draining=True`` (no new sessions), lets running calls
  finish and hands the rest over (:meth:`media_host.calls.CallManager.drain`), then deletes the row.

A failed heartbeat is logged and retried on the next tick; it never stops the loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from shared.problems import TriageError
from shared.storage import MediaHostRecord, MediaHostRegistry

logger = logging.getLogger(__name__)

LoadReport = Callable[[], tuple[int, bool]]
"""Returns ``(active_sessions, draining)`` at the moment of the heartbeat."""


class RegistryHeartbeat:
    """The periodic registration of one media host.

    Args:
        registry: The ``mediahosts`` table.
        host_id: This host's id.
        internal_url: Where the control plane reaches this host.
        capacity: Calls this host accepts.
        interval_s: Heartbeat period.
        load: Reports current load and the draining flag.
    """

    def __init__(
        self,
        registry: MediaHostRegistry,
        *,
        host_id: str,
        internal_url: str,
        capacity: int,
        interval_s: float,
        load: LoadReport,
    ) -> None:
        self._registry = registry
        self._host_id = host_id
        self._internal_url = internal_url
        self._capacity = capacity
        self._interval_s = interval_s
        self._load = load
        self._task: asyncio.Task[None] | None = None
        self.beats = 0

    async def start(self) -> None:
        """Register now (so the host is assignable at once), then beat in the background."""
        await self.beat()
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="registry-heartbeat")

    async def beat(self) -> bool:
        """Send one heartbeat; False (and a log line) if storage refused it."""
        active, draining = self._load()
        record = MediaHostRecord(
            host_id=self._host_id,
            internal_url=self._internal_url,
            capacity=self._capacity,
            active_sessions=active,
            draining=draining,
            last_heartbeat=datetime.now(UTC),
        )
        try:
            await self._registry.heartbeat(record)
        except TriageError as exc:
            logger.warning("media host heartbeat failed (%s)", exc.code)
            return False
        self.beats += 1
        return True

    async def stop(self, *, deregister: bool = True) -> None:
        """Stop beating; publish a last (draining) state and remove the row if asked."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if deregister:
            try:
                await self._registry.remove(self._host_id)
            except TriageError as exc:
                logger.warning("media host could not deregister (%s)", exc.code)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                await self.beat()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("media host heartbeat crashed; retrying next tick")
