"""Logging setup shared by every deployable: one place that keeps addresses and bodies out.

Some libraries log what this project must not: ``aioice`` logs every ICE candidate pair — the
patient's IP addresses — at INFO (an IP address is an identifier under HIPAA's Safe Harbor list);
``aiortc`` logs transport and candidate details; azure-core's ``http_logging_policy`` logs each
storage request's URL and headers at INFO; uvicorn's access log writes the client's address for
every request (long-polls included); ``httpx`` logs request URLs at INFO. Their loggers are raised
to WARNING by :func:`quiet_library_loggers`, which every entry point calls (``python -m
control_plane``, ``function_app``, ``python -m media_host``, ``python -m
media_host.local_realtime``). Uvicorn servers are also started with ``access_log=False``.
"""

from __future__ import annotations

import logging

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# Logger name → the lowest level it may log at.
QUIET_LOGGERS: dict[str, int] = {
    "aioice": logging.WARNING,
    "aiortc": logging.WARNING,
    "azure": logging.WARNING,
    "azure.core.pipeline.policies.http_logging_policy": logging.WARNING,
    "uvicorn.access": logging.WARNING,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
}


def quiet_library_loggers() -> None:
    """Raise the noisy libraries' loggers (see module docstring) to their allowed level."""
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


def configure_logging(level: str | int = "INFO") -> None:
    """Root handler on stderr at ``level``, with the libraries quieted."""
    logging.basicConfig(level=level.upper() if isinstance(level, str) else level, format=LOG_FORMAT)
    quiet_library_loggers()
