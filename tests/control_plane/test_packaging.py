"""The Functions deployment files stay consistent with the project."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ["uv", "export", "--no-dev", "--no-hashes", "--no-emit-project", "--frozen"]


def test_requirements_txt_matches_uv_lock() -> None:
    # uv is part of the toolchain (scripts/bootstrap.sh installs it): its absence is a failure.
    assert shutil.which("uv") is not None, "uv is not on PATH"
    exported = subprocess.run(EXPORT, cwd=ROOT, capture_output=True, text=True, check=True)
    assert (ROOT / "requirements.txt").read_text() == exported.stdout, (
        "requirements.txt is stale: regenerate with `" + " ".join(EXPORT) + " > requirements.txt`"
    )
    assert "aiortc" not in exported.stdout  # media-host extras never ship to Functions


def test_host_json_and_local_settings_fit_the_routes() -> None:
    host = json.loads((ROOT / "host.json").read_text())
    assert host["version"] == "2.0"
    assert host["extensionBundle"]["version"] == "[4.*, 5.0.0)"
    assert host["extensions"]["http"]["routePrefix"] == ""  # routes carry their own api/
    values = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    assert values["FUNCTIONS_WORKER_RUNTIME"] == "python"
    assert values["PYTHON_ENABLE_INIT_INDEXING"] == "1"
    assert values["AzureWebJobsDisableHomepage"] == "true"  # / is the reference web client
    assert values["AzureWebJobsStorage"] == "UseDevelopmentStorage=true"
    assert "TableEndpoint=http://127.0.0.1:10002/" in values["TRIAGE_STORAGE_CONNECTION_STRING"]
    assert len(values["TRIAGE_MEDIA_HOST_KEY"]) >= 32


def test_funcignore_keeps_the_deployment_lean() -> None:
    ignored = set((ROOT / ".funcignore").read_text().split())
    for path in ("tests/", ".venv/", "node_modules/", "bench/", "media_host/", "docs/", "infra/"):
        assert path in ignored
    for needed in ("function_app.py", "control_plane/", "shared/", "host.json", "requirements.txt"):
        assert needed not in ignored
