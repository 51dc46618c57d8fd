"""Dead media hosts: found within seconds, their sessions told to reconnect.

A host is dead when its registry heartbeat is older than ``host_dead_after_s`` (a crashed host
simply stops beating) *and* it does not answer a health probe — a late heartbeat alone may only
mean that storage was unreachable for a while, and taking live calls away from a healthy host
would hurt more than the few seconds the probe costs — or when the control plane's call to it
was refused or timed out. Each live
session placed on it (the per-host index, :meth:`SessionStore.sessions_on_host`) then moves to the
non-terminal status ``reconnecting``, announced as a ``status_update`` event: the browser sends a
fresh offer, which :mod:`control_plane.routers.signaling` places on a live host, where the intake
resumes from its checkpoint. A dead host's registry row is removed once its sessions are moved
(a host that was only slow re-registers with its next heartbeat).

Who sweeps, so that detection does not depend on traffic and traffic does not depend on a timer:

* under uvicorn, :meth:`HostWatch.run` in the API's lifespan, every ``host_sweep_interval_s``;
* on Azure Functions, a timer-triggered function (``function_app.py``) calls :func:`sweep_app`;
* in both, authorised per-session requests (status, events, …) :meth:`HostWatch.nudge` a sweep
  when the last one is older than the interval — a browser following its events long-polls every
  few seconds, so its own session's host failure is noticed even between timer runs.

Sweeps are idempotent (status moves are ETag-guarded and announced only by the writer that made
them), so overlapping sweeps from several API instances are harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fastapi import FastAPI

from shared.events import SessionStatus
from shared.problems import Conflict, NotFound, TriageError
from shared.storage import MediaHostRecord

if TYPE_CHECKING:
    from control_plane.state import AppState

log = logging.getLogger(__name__)

LOST_DETAIL = "the media host stopped responding; send a new offer to continue the interview"


class HostWatch:
    """Sweeps the registry for dead hosts and moves their sessions to ``reconnecting``."""

    def __init__(self, state: AppState) -> None:
        self._state = state
        self._last_sweep = float("-inf")
        self._running: asyncio.Task[int] | None = None

    @property
    def _dead_after(self) -> timedelta:
        return timedelta(seconds=self._state.settings.host_dead_after_s)

    def is_dead(self, host: MediaHostRecord, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) - host.last_heartbeat > self._dead_after

    async def sweep(self, now: datetime | None = None) -> int:
        """One pass over the registry; returns how many sessions were moved to reconnecting."""
        self._last_sweep = time.monotonic()
        now = now or datetime.now(UTC)
        moved = 0
        for host in await self._state.hosts.list_hosts():
            if not self.is_dead(host, now) or await self._state.relay.alive(host.internal_url):
                continue
            moved += await self.host_lost(host.host_id)
            with contextlib.suppress(TriageError):
                await self._state.hosts.remove(host.host_id)
        return moved

    async def host_lost(self, host_id: str) -> int:
        """Move every live session on ``host_id`` to reconnecting; returns how many moved."""
        moved = 0
        for session_id in await self._state.sessions.sessions_on_host(host_id):
            if await self.session_lost(session_id, host_id):
                moved += 1
        if moved:
            log.warning("media host %s lost; %d session(s) told to reconnect", host_id, moved)
        return moved

    async def session_lost(self, session_id: str, host_id: str) -> bool:
        """The session's call on ``host_id`` is gone: ``reconnecting`` if it was live there."""
        sessions = self._state.sessions
        try:
            record = await sessions.get(session_id)
        except NotFound:
            await sessions.forget_host_session(host_id, session_id)
            return False
        if record.media_host_id != host_id or record.status.is_terminal:
            await sessions.forget_host_session(host_id, session_id)  # moved on or over
            return False
        if record.status is SessionStatus.CREATED:
            # No call was set up there; the next offer places the session anew.
            await sessions.forget_host_session(host_id, session_id)
            return False
        try:
            moved, changed = await sessions.try_transition(
                session_id, SessionStatus.RECONNECTING, detail=LOST_DETAIL
            )
        except Conflict:
            return False  # it ended meanwhile
        if changed:
            await self._state.announce_status(moved)
        await sessions.forget_host_session(host_id, session_id)
        return changed

    def nudge(self) -> None:
        """Start a background sweep if the last one is older than the sweep interval."""
        interval = self._state.settings.host_sweep_interval_s or 5.0
        if self._running is not None and not self._running.done():
            return
        if time.monotonic() - self._last_sweep < interval:
            return
        self._last_sweep = time.monotonic()
        self._running = asyncio.create_task(self._sweep_logged(), name="host-sweep")

    async def run(self) -> None:
        """Sweep every ``host_sweep_interval_s`` until cancelled (the API's lifespan task)."""
        interval = self._state.settings.host_sweep_interval_s
        while True:
            await self._sweep_logged()
            await asyncio.sleep(interval)

    async def aclose(self) -> None:
        task, self._running = self._running, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _sweep_logged(self) -> int:
        try:
            return await self.sweep()
        except TriageError as exc:
            log.warning("dead-host sweep failed (%s); retrying next time", exc.code)
        except Exception:
            log.exception("dead-host sweep crashed; retrying next time")
        return 0


async def sweep_app(app: FastAPI) -> int:
    """One sweep with a started app's state (the Functions timer trigger)."""
    from control_plane.state import app_state_of

    return await app_state_of(app).host_watch.sweep()
