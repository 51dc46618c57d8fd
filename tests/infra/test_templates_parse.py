"""Every template parses, and every module reference resolves to something real and pinned."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.infra.bicep_model import (
    INFRA,
    MAIN,
    bicep_files,
    declared_params,
    load_avm_snapshot,
    parse,
    required_params,
    unwrap,
    walk,
)

SEMVER = re.compile(r"^\d+\.\d+\.\d+$")


def _module_refs() -> list[tuple[Path, str, dict[str, Any]]]:
    refs = []
    for path in bicep_files():
        for symbol, module in parse(path).get("modules", {}).items():
            refs.append((path, symbol, module))
    return refs


def test_the_deployment_has_the_expected_templates() -> None:
    names = {path.relative_to(INFRA).as_posix() for path in bicep_files()}
    assert {
        "main.bicep",
        "app/api.bicep",
        "app/mediahost.bicep",
        "app/turn.bicep",
        "app/rbac.bicep",
        "app/openai.bicep",
        "app/network.bicep",
    } <= names


@pytest.mark.parametrize("path", bicep_files(), ids=lambda p: p.relative_to(INFRA).as_posix())
def test_template_parses(path: Path) -> None:
    parsed = parse(path)
    assert parsed.get("resources") or parsed.get("modules"), f"{path} declares nothing"


def test_main_targets_the_subscription() -> None:
    assert parse(MAIN)["globals"]["scope"]["value"] == "subscription"


def test_local_module_paths_exist() -> None:
    local = [(p, s, m) for p, s, m in _module_refs() if m["type"] == "local"]
    assert local, "main.bicep should compose local modules"
    for path, symbol, module in local:
        target = (path.parent / module["detail"]["path"]).resolve()
        assert target.is_file(), f"{symbol} in {path.name} points at missing {target}"


def test_registry_modules_are_pinned_verified_modules() -> None:
    registry = [(p, s, m) for p, s, m in _module_refs() if m["type"] != "local"]
    assert registry, "shared building blocks should come from Azure Verified Modules"
    for _path, symbol, module in registry:
        detail = module["detail"]
        assert detail.get("public"), f"{symbol}: only the public registry (br/public) is used"
        assert detail["path"].startswith("avm/res/"), f"{symbol}: {detail['path']} is not an AVM"
        assert SEMVER.match(detail["tag"]), f"{symbol}: tag {detail['tag']!r} is not pinned"


def test_registry_module_params_exist_in_the_pinned_version() -> None:
    """Catches misspelt or version-renamed AVM parameters, which only a compiler would see."""
    snapshot = load_avm_snapshot()
    for _path, symbol, module in _module_refs():
        if module["type"] == "local":
            continue
        key = f"{module['detail']['path']}:{module['detail']['tag']}"
        assert key in snapshot, f"{symbol}: refresh tests/infra/avm_module_params.json for {key}"
        params = set(unwrap(module["config"])["params"])
        unknown = params - set(snapshot[key]["params"])
        assert not unknown, f"{symbol} ({key}) has no parameters {sorted(unknown)}"
        missing = set(snapshot[key]["required"]) - params
        assert not missing, f"{symbol} ({key}) misses required parameters {sorted(missing)}"


def test_registry_module_outputs_used_exist() -> None:
    snapshot = load_avm_snapshot()
    versions = {
        symbol: f"{m['detail']['path']}:{m['detail']['tag']}"
        for _, symbol, m in _module_refs()
        if m["type"] != "local"
    }
    used: set[tuple[str, str]] = set()
    for node in walk(parse(MAIN)):
        # `x.outputs.y` renders as property_accessor(x, property_accessor(outputs, y)).
        if isinstance(node, dict) and node.get("type") == "property_accessor":
            first, rest = node["operands"]["operand_1"], node["operands"]["operand_2"]
            if isinstance(first, str) and first in versions and isinstance(rest, dict):
                inner = rest.get("operator", {}).get("operands", {})
                if inner.get("operand_1") == "outputs" and isinstance(inner.get("operand_2"), str):
                    used.add((first, inner["operand_2"]))
    text = MAIN.read_text()
    for symbol in versions:  # interpolated uses (`${x.outputs.y}`) are plain strings to pycep
        used |= {(symbol, name) for name in re.findall(rf"\b{symbol}\.outputs\.\??(\w+)", text)}
    assert used
    for symbol, output in used:
        assert output in snapshot[versions[symbol]]["outputs"], f"{symbol}.outputs.{output}"


def test_local_module_calls_match_their_parameters() -> None:
    for path, symbol, module in _module_refs():
        if module["type"] != "local":
            continue
        target = (path.parent / module["detail"]["path"]).resolve()
        passed = set(unwrap(module["config"])["params"])
        declared = set(declared_params(target))
        assert not passed - declared, f"{symbol} passes undeclared {sorted(passed - declared)}"
        missing = required_params(target) - passed
        assert not missing, f"{symbol} leaves required {sorted(missing)} unset"


def test_outputs_of_local_modules_used_by_main_exist() -> None:
    text = MAIN.read_text()
    for _, symbol, module in _module_refs():
        if module["type"] != "local":
            continue
        target = (MAIN.parent / module["detail"]["path"]).resolve()
        outputs = set(parse(target).get("outputs", {}))
        for name in set(re.findall(rf"\b{symbol}\.outputs\.(\w+)", text)):
            assert name in outputs, f"{symbol}.outputs.{name} is not declared in {target.name}"
