#!/usr/bin/env bash
# The project's test command: lint, format check, type check, then the whole test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bootstrap.sh

uv run --frozen ruff check .
uv run --frozen ruff format --check .
uv run --frozen mypy
# pytest exits 5 when it collected nothing: that is a failure here, never a pass.
set +e
uv run --frozen pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then echo "test.sh: pytest collected no tests" >&2; exit 1; fi
exit "$rc"
