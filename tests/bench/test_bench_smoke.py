"""Every benchmark in bench/ still runs: each one, in its smoke mode, as a subprocess.

A bench nobody runs rots (bench/control_plane.py crashed with ``KeyError: 'session_id'`` once its
registered host went stale and creates met a 503). These runs check exit status and that the
figures were printed, never the figures themselves (speed belongs to the benches).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_bench(args: list[str], *, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.mark.timeout(180)
def test_control_plane_bench_survives_a_short_host_freshness() -> None:
    # A 3 s freshness window is shorter than the run: the bench must keep its host registered
    # (a live host heartbeats) instead of meeting 503 no_media_host halfway.
    out = run_bench(
        ["bench/control_plane.py", "--smoke"], env={"TRIAGE_MEDIA_HOST_FRESHNESS_SECONDS": "3"}
    )
    for figure in ("session create", "long-poll", "SSE", "batching speed-up", "capacity"):
        assert figure in out, out


@pytest.mark.timeout(120)
def test_agent_turn_bench_runs() -> None:
    out = run_bench(["bench/agent_turn.py", "--smoke"])
    for figure in ("bare extraction", "TableStorageSaver", "InMemorySaver", "memory per session"):
        assert figure in out, out


@pytest.mark.timeout(180)
def test_media_host_bench_runs() -> None:
    out = run_bench(["bench/media_host.py", "--smoke"])
    for figure in ("raw aiortc loopback", "media host + bridge", "RSS per session"):
        assert figure in out, out
