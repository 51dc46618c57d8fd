"""Schemathesis fuzzes the public API against its own OpenAPI document, every check enabled.

The API runs as it is deployed locally (``python -m control_plane`` under uvicorn on a loopback
port) on a real Azurite, with a fake media host registered so sessions can be created. One real
session's id and token are pinned for the per-session operations, so they are fuzzed past the
authorisation check; everything else (bodies, query strings, headers, methods) is generated.
Examples are bounded so the run stays within about a minute on two cores; the seed is fixed so a
failure reproduces.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from devtools.azurite import Azurite, free_port
from shared.config import StorageSettings
from shared.storage import MediaHostRecord, MediaHostRegistry, TableStore
from tests.control_plane.conftest import HOST_KEY
from tests.support.fake_media_host import FakeMediaHost

ROOT = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = 25
SEED = 8


@pytest.fixture
def api_url(azurite: Azurite, table_prefix: str, fake_host: FakeMediaHost) -> Iterator[str]:
    env = {
        **os.environ,
        "TRIAGE_STORAGE_CONNECTION_STRING": azurite.connection_string,
        "TRIAGE_TABLE_PREFIX": table_prefix,
        "TRIAGE_MEDIA_HOST_KEY": HOST_KEY,
        "TRIAGE_MEDIA_HOST_FRESHNESS_SECONDS": "600",
        # Streams and long-polls on the live pinned session end quickly instead of holding a
        # generated request for minutes.
        "TRIAGE_SSE_MAX_STREAM_SECONDS": "2",
        "TRIAGE_LONG_POLL_MAX_SECONDS": "1",
    }
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "control_plane", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the API did not start")
            time.sleep(0.1)
        yield url
    finally:
        proc.kill()
        proc.wait(timeout=10)


async def register_host(azurite: Azurite, table_prefix: str, host: FakeMediaHost) -> None:
    settings = StorageSettings(
        connection_string=SecretStr(azurite.connection_string), table_prefix=table_prefix
    )
    async with TableStore.from_settings(settings) as store:
        record = MediaHostRecord(host_id=host.host_id, internal_url=host.url, capacity=10_000)
        await MediaHostRegistry(store).heartbeat(record)


@pytest.mark.timeout(240)
async def test_schemathesis_all_checks_pass(
    api_url: str, azurite: Azurite, table_prefix: str, fake_host: FakeMediaHost, tmp_path: Path
) -> None:
    await register_host(azurite, table_prefix, fake_host)
    async with httpx.AsyncClient(base_url=api_url) as http:
        created = await http.post("/api/intake/sessions", json={"user_language": "en"})
    assert created.status_code == 201, created.text
    session = created.json()
    config = tmp_path / "schemathesis.toml"
    config.write_text(f'[parameters]\n"path.session_id" = "{session["session_id"]}"\n')
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(config),
            "run",
            f"{api_url}/api/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--workers",
            "1",  # hypothesis's lambda-source introspection is not thread-safe
            "--request-timeout",
            "30",
            "--header",
            f"Authorization: Bearer {session['session_token']}",
            "--no-shrink",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=200,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-3000:]
    print(result.stdout[-1500:])  # the run's summary, shown with -s or on a later failure
