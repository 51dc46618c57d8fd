"""Readiness of a media host: may it take a new call right now?

``/livez`` says only that the process answers. ``/readyz`` (:class:`Readiness`) says whether a new
call would work here: Table Storage answers, the host is not draining, it has a free call slot,
and the realtime model endpoint accepted a TCP connection now or within ``model_recent_s``
(one refused connect during a model-side blip should not pull every host out at once).

The answer names each check as ``ok`` / ``failed`` and nothing else: no endpoint, no error text.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.problems import TriageError
from shared.storage import TableStore

CHECK_TIMEOUT_S = 2.0  # a probe must answer well inside the platform's probe timeout
MODEL_RECENT_S = 60.0

HostLoad = Callable[[], tuple[int, int, bool]]
"""Returns ``(active_sessions, capacity, draining)``."""


@dataclass(frozen=True)
class ReadinessReport:
    checks: dict[str, bool]

    @property
    def ready(self) -> bool:
        return all(self.checks.values())

    def body(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ready else "not_ready",
            "checks": {name: "ok" if ok else "failed" for name, ok in self.checks.items()},
        }


def endpoint_address(url: str) -> tuple[str, int] | None:
    """``(host, port)`` of an http(s)/ws(s) URL; None when it has no host."""
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    default = 443 if parts.scheme in {"https", "wss"} else 80
    return parts.hostname, parts.port or default


class Readiness:
    """Runs the readiness checks; remembers when the model endpoint last answered."""

    def __init__(
        self,
        store: TableStore,
        load: HostLoad,
        model_url: str | None,
        *,
        model_recent_s: float = MODEL_RECENT_S,
        timeout_s: float = CHECK_TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._load = load
        self._model = endpoint_address(model_url) if model_url else None
        self._model_recent_s = model_recent_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._model_seen_at: float | None = None

    async def check(self) -> ReadinessReport:
        active, capacity, draining = self._load()
        storage, model = await asyncio.gather(self._storage_ok(), self._model_ok())
        return ReadinessReport(
            checks={
                "storage": storage,
                "not_draining": not draining,
                "capacity": active < capacity,
                "model_endpoint": model,
            }
        )

    async def _storage_ok(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout_s):
                await self._store.ping()
        except (TriageError, TimeoutError):
            return False
        return True

    async def _model_ok(self) -> bool:
        if self._model is None:
            return False
        host, port = self._model
        try:
            async with asyncio.timeout(self._timeout_s):
                _reader, writer = await asyncio.open_connection(host, port)
        except (OSError, TimeoutError):
            seen = self._model_seen_at
            return seen is not None and self._clock() - seen <= self._model_recent_s
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        self._model_seen_at = self._clock()
        return True
