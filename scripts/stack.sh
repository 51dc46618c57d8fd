#!/usr/bin/env bash
# Start the whole local stack (Azurite, media host with the offline realtime engine, HTTP API on
# http://127.0.0.1:7071), run a spoken patient intake end to end, then keep the stack up until
# Ctrl-C / SIGTERM. Extra arguments go to `python -m devtools.stack` (e.g. --exit-after-demo,
# --no-demo, --port/--media-port/--azurite-port, --verbose: INFO logs plus each session's trace and
# a metrics snapshot on the console).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
# exec the environment's interpreter itself (no `uv run` in between): the supervisor is then this
# script's PID, so `kill <pid>` and the terminal's Ctrl-C reach it directly and it stops every child.
exec .venv/bin/python -m devtools.stack "$@"
