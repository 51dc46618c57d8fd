"""azure.yaml names the two services the way azd and this repository lay them out."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, cast

import yaml

from tests.infra.bicep_model import REPO_ROOT

AZURE_YAML = REPO_ROOT / "azure.yaml"


def _services() -> dict[str, Any]:
    return cast("dict[str, Any]", yaml.safe_load(AZURE_YAML.read_text())["services"])


def test_declares_the_api_and_the_two_media_hosts() -> None:
    assert set(_services()) == {"api", "mediahost", "mediahost2"}


def test_api_is_a_python_function_app_at_the_root() -> None:
    api = _services()["api"]
    assert api == {"project": ".", "language": "python", "host": "function"}
    assert (REPO_ROOT / api["project"]).is_dir()


def test_media_host_is_a_container_app_built_from_media_host() -> None:
    media = _services()["mediahost"]
    assert media["host"] == "containerapp"
    assert media["project"] == "."
    docker = media["docker"]
    assert docker["context"] == "."
    # The Dockerfile belongs to the media-host work; only its location is fixed here.
    path = PurePosixPath(docker["path"])
    assert path.parts[0] == "media_host" and path.name == "Dockerfile"


def test_service_names_match_the_azd_tags_in_bicep() -> None:
    infra = REPO_ROOT / "infra"
    assert "'azd-service-name': 'api'" in (infra / "app" / "api.bicep").read_text()
    # The media host template is instantiated once per service, tagged with its name.
    assert "'azd-service-name': serviceName" in (infra / "app" / "mediahost.bicep").read_text()
    main = (infra / "main.bicep").read_text()
    for service in ("mediahost", "mediahost2"):
        assert f"service: '{service}'" in main, service


def test_infra_points_at_main_bicep() -> None:
    infra = yaml.safe_load(AZURE_YAML.read_text())["infra"]
    assert infra == {"provider": "bicep", "path": "infra", "module": "main"}
    assert (REPO_ROOT / infra["path"] / f"{infra['module']}.bicep").is_file()
