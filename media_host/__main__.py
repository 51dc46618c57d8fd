"""Run a media host: ``python -m media_host``.

Reads the environment (:class:`media_host.settings.MediaHostSettings`,
:class:`media_host.realtime.settings.RealtimeSettings`). With ``TRIAGE_REALTIME_MODE=local`` (the
default) and no ``TRIAGE_REALTIME_URL``, the offline local realtime engine is started in this
process on a free loopback port and the bridge is pointed at it; set
``TRIAGE_LOCAL_REALTIME_EMBEDDED=0`` to use an engine running elsewhere (``TRIAGE_REALTIME_URL``),
and ``LOCAL_REALTIME_MODE=echo`` for the media-path-only engine.

SIGTERM/SIGINT drain the host: the registry row turns ``draining``, running calls may finish for
``TRIAGE_MEDIA_HOST_DRAIN_TIMEOUT_S``, the rest are handed over (their sessions go
``reconnecting`` and resume on another host), the row is removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Mapping

from media_host.runner import serve_forever
from media_host.settings import MediaHostSettings
from shared.log_setup import configure_logging, log_format_from
from shared.telemetry import SERVICE_MEDIA_HOST, configure_telemetry

logger = logging.getLogger("media_host")


@contextlib.asynccontextmanager
async def _embedded_engine(
    settings: MediaHostSettings, environ: Mapping[str, str]
) -> AsyncIterator[MediaHostSettings]:
    """Start the local realtime engine in-process when configured; yield the final settings."""
    embedded = environ.get("TRIAGE_LOCAL_REALTIME_EMBEDDED", "1") != "0"
    if settings.realtime.mode != "local" or environ.get("TRIAGE_REALTIME_URL") or not embedded:
        yield settings
        return
    from media_host.local_realtime.server import LocalRealtimeServer
    from media_host.local_realtime.settings import LocalRealtimeSettings

    mode = environ.get("LOCAL_REALTIME_MODE", "speech")
    engine = LocalRealtimeServer(LocalRealtimeSettings(mode=mode))  # type: ignore[arg-type]
    await engine.start()
    try:
        if mode == "speech":
            await engine.warm_up()
        logger.info("embedded local realtime engine (%s) at %s", mode, engine.url)
        realtime = settings.realtime.model_copy(update={"websocket_base_url": engine.url})
        yield settings.model_copy(update={"realtime": realtime})
    finally:
        await engine.stop()


async def _main(environ: Mapping[str, str]) -> None:
    settings = MediaHostSettings.from_env(environ)
    async with _embedded_engine(settings, environ) as final:
        logger.info(
            "media host %s listening on %s:%d (capacity %d)",
            final.host_id,
            final.bind_host,
            final.bind_port,
            final.capacity,
        )
        await serve_forever(final, log_level=environ.get("TRIAGE_LOG_LEVEL", "INFO"))


def main() -> None:
    """Entry point."""
    configure_logging(
        os.environ.get("TRIAGE_LOG_LEVEL", "INFO"),
        log_format_from(os.environ.get("TRIAGE_LOG_FORMAT")),
    )
    configure_telemetry(SERVICE_MEDIA_HOST)
    asyncio.run(_main(os.environ))


if __name__ == "__main__":
    main()
