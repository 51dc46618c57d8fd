#!/usr/bin/env bash
# Install everything the local stack and the tests need, on a fresh machine (Python 3.11, Node 20).
# Idempotent: every step checks before it installs. Sourced by stack.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export UV_PYTHON_DOWNLOADS=never   # use the machine's CPython 3.11; no toolchain downloads
export PATH="$HOME/.local/bin:$PATH"

if ! command -v uv >/dev/null 2>&1; then
  echo "bootstrap: installing uv" >&2
  python3.11 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
fi

# Node tools (Azurite), pinned in package.json / package-lock.json.
if [ ! -x node_modules/.bin/azurite ]; then
  echo "bootstrap: npm ci (azurite)" >&2
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi
fi

# Python environment: control plane + media host extras + dev tools, from uv.lock.
uv sync --quiet --python 3.11 --all-extras --frozen

# Debian's Chromium for the real-browser tests (tests/browser; never a downloaded browser). Only
# in CI (CI=true) or when asked (TRIAGE_INSTALL_CHROMIUM=1): a developer's machine is not changed
# behind their back. Without it the browser tests skip locally — and fail under CI=true.
if [ ! -x /usr/bin/chromium ] && { [ "${CI:-}" = "true" ] || [ "${TRIAGE_INSTALL_CHROMIUM:-}" = "1" ]; }; then
  echo "bootstrap: apt-get install chromium" >&2
  as_root=""
  if [ "$(id -u)" -ne 0 ]; then as_root="sudo"; fi
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
