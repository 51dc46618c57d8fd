#!/usr/bin/env bash
# Start the whole local stack (Azurite, media host with the offline realtime engine, HTTP API on
# http://127.0.0.1:7071), run a spoken patient intake end to end, then keep the stack up.
# Extra arguments go to `python -m devtools.stack` (e.g. --exit-after-demo, --no-demo).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh
exec uv run --frozen python -m devtools.stack "$@"
