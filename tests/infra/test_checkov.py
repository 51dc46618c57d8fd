"""checkov's Bicep policies pass, except for a documented allow-list.

checkov is not a project dependency (it is large); it runs from uv's tool cache, pinned, with
every online feature off. It only sees resources written out in our templates: the inside of a
registry module (AVM) is never downloaded, so those are covered by test_secure_defaults.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any, cast

import pytest

from tests.infra.bicep_model import INFRA, REPO_ROOT

CHECKOV = "checkov==3.3.30"
# A cold uv cache downloads checkov (~100 packages) first: about 20 s here, allow far more.
pytestmark = pytest.mark.timeout(900)
DEPLOYMENT_DOC = REPO_ROOT / "docs" / "deployment.md"

# (check id, resource) -> why it is accepted. Each one is explained in docs/deployment.md.
ALLOWED_FAILURES: dict[tuple[str, str], str] = {
    ("CKV_AZURE_131", "string.mediaHostKeyPad"): "default is newGuid(), not a literal",
    ("CKV_AZURE_131", "string.turnSharedSecretPad"): "default is newGuid(), not a literal",
    ("CKV_AZURE_134", "Microsoft.CognitiveServices/accounts.account"): "public, Entra-only",
    ("CKV_AZURE_225", "Microsoft.Web/serverfarms.plan"): "FC1 zone redundancy is regional",
    ("CKV_AZURE_222", "Microsoft.Web/sites.api"): "browsers call the API",
    ("CKV_AZURE_17", "Microsoft.Web/sites.api"): "browsers have no client certificates",
    ("CKV_AZURE_212", "Microsoft.Web/sites.api"): "Flex scales from zero",
    ("CKV_AZURE_213", "Microsoft.Web/sites.api"): "no health-check path on Flex",
    ("CKV_AZURE_1", "Microsoft.Compute/virtualMachines.vm"): "random password, no SSH",
    ("CKV_AZURE_149", "Microsoft.Compute/virtualMachines.vm"): "random password, no SSH",
    ("CKV_AZURE_178", "Microsoft.Compute/virtualMachines.vm"): "random password, no SSH",
    ("CKV_AZURE_50", "Microsoft.Compute/virtualMachines.vm"): "platform patching extension",
    ("CKV_AZURE_97", "Microsoft.Compute/virtualMachines.vm"): "needs a subscription feature",
    ("CKV_AZURE_151", "Microsoft.Compute/virtualMachines.vm"): "Windows check on a Linux VM",
}


@pytest.fixture(scope="module")
def checkov_report() -> dict[str, Any]:
    uvx = shutil.which("uvx")
    # uv is part of the toolchain (scripts/bootstrap.sh installs it): its absence is a failure.
    assert uvx is not None, "uvx (uv) is not on PATH"
    env = {
        **os.environ,
        "BC_SKIP_MAPPING": "TRUE",  # no Prisma Cloud mapping download
        "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
        "ANSI_COLORS_DISABLED": "1",
    }
    completed = subprocess.run(
        [
            uvx,
            "--from",
            CHECKOV,
            "checkov",
            "--framework",
            "bicep",
            "--directory",
            str(INFRA),
            "--skip-download",
            "--skip-results-upload",
            "--output",
            "json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=REPO_ROOT,
        check=False,
    )
    # Exit code 1 means "some check failed"; anything else is checkov itself failing.
    assert completed.returncode in (0, 1), completed.stderr[-2000:]
    report = json.loads(completed.stdout)
    assert report["check_type"] == "bicep"
    return cast("dict[str, Any]", report)


def _failed(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]}


def test_checkov_parses_every_template(checkov_report: dict[str, Any]) -> None:
    assert checkov_report["summary"]["parsing_errors"] == 0
    assert checkov_report["summary"]["resource_count"] > 50


def test_no_failed_check_outside_the_allow_list(checkov_report: dict[str, Any]) -> None:
    unexpected = _failed(checkov_report) - set(ALLOWED_FAILURES)
    assert not unexpected, f"new checkov findings: {sorted(unexpected)}"


def test_allow_list_has_no_stale_entries(checkov_report: dict[str, Any]) -> None:
    """An entry that no longer fails must be removed here and from the docs."""
    stale = set(ALLOWED_FAILURES) - _failed(checkov_report)
    assert not stale, f"no longer failing, drop from allow-list: {sorted(stale)}"


def test_every_allowed_failure_is_explained_in_the_docs() -> None:
    text = DEPLOYMENT_DOC.read_text()
    for check_id, _resource in ALLOWED_FAILURES:
        assert check_id in text, f"{check_id} is not explained in docs/deployment.md"
