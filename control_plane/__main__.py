"""Run the API locally: ``python -m control_plane`` (uvicorn on 127.0.0.1:7071, like func start).

Reads the environment (``TRIAGE_*``, see docs/local-development.md); ``--host``/``--port`` or
``TRIAGE_API_HOST``/``TRIAGE_API_PORT`` override the address. Logs go to stderr as JSON lines
(``TRIAGE_LOG_FORMAT=text`` for text, ``TRIAGE_LOG_LEVEL`` or ``--log-level`` for the level);
telemetry is configured from the environment (:mod:`shared.telemetry`).
"""

from __future__ import annotations

import argparse
import os

import uvicorn

from control_plane.app import create_app
from control_plane.settings import ControlPlaneSettings
from shared.log_setup import configure_logging, log_format_from
from shared.telemetry import SERVICE_API, configure_telemetry


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m control_plane", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("TRIAGE_API_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("TRIAGE_API_PORT", "7071")))
    parser.add_argument("--log-level", default=os.environ.get("TRIAGE_LOG_LEVEL", "info"))
    args = parser.parse_args(argv)
    configure_logging(args.log_level, log_format_from(os.environ.get("TRIAGE_LOG_FORMAT")))
    configure_telemetry(SERVICE_API)
    app = create_app(ControlPlaneSettings.from_env(os.environ))
    # No access log: it writes every caller's address (see shared.log_setup). No log_config:
    # uvicorn's records go through the root handler (JSON, trace ids) like everyone else's.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level.lower(),
        access_log=False,
        log_config=None,
    )


if __name__ == "__main__":
    main()
