"""Run the API locally: ``python -m control_plane`` (uvicorn on 127.0.0.1:7071, like func start).

Reads the environment (``TRIAGE_*``, see docs/local-development.md); ``--host``/``--port`` or
``TRIAGE_API_HOST``/``TRIAGE_API_PORT`` override the address.
"""

from __future__ import annotations

import argparse
import logging
import os

import uvicorn

from control_plane.app import create_app
from control_plane.settings import ControlPlaneSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m control_plane", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("TRIAGE_API_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("TRIAGE_API_PORT", "7071")))
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper())
    # azure-core logs every storage request (URL and headers) at INFO: noise, and no use locally.
    logging.getLogger("azure").setLevel(logging.WARNING)
    app = create_app(ControlPlaneSettings.from_env(os.environ))
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
