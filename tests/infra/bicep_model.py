"""Read-only view of the Bicep templates under infra/, parsed with pycep (no Bicep compiler here).

pycep renders a template as JSON-like dicts: literals keep their Python type, identifiers and
string literals both become plain strings, loops/conditions become ``loop_type``/``condition``
wrappers. The helpers here unwrap just enough of that for structural assertions.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from pycep import BicepParser

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA = REPO_ROOT / "infra"
MAIN = INFRA / "main.bicep"
PARAMETERS_FILE = INFRA / "main.parameters.json"
AVM_SNAPSHOT = Path(__file__).with_name("avm_module_params.json")


def bicep_files() -> list[Path]:
    """Every .bicep file of the deployment, sorted for stable test ids."""
    return sorted(INFRA.rglob("*.bicep"))


@functools.cache
def _parser() -> BicepParser:
    return BicepParser()


@functools.cache
def parse(path: Path) -> dict[str, Any]:
    """The pycep rendering of one template (cached: templates do not change during a run)."""
    return cast("dict[str, Any]", _parser().parse(file_path=path))


def unwrap(node: Any) -> Any:
    """The body of a resource/module/loop item, without condition or loop wrappers."""
    while isinstance(node, dict) and "config" in node and {"condition", "loop_type"} & set(node):
        node = node["config"]
    return node


def resource(path: Path, symbol: str) -> dict[str, Any]:
    """The unwrapped body (name, properties, ...) of resource `symbol` in `path`."""
    return cast("dict[str, Any]", unwrap(parse(path)["resources"][symbol]["config"]))


def module_params(symbol: str) -> dict[str, Any]:
    """The params object main.bicep passes to module `symbol`."""
    return cast("dict[str, Any]", unwrap(parse(MAIN)["modules"][symbol]["config"])["params"])


def declared_params(path: Path) -> dict[str, dict[str, Any]]:
    return cast("dict[str, dict[str, Any]]", parse(path).get("parameters", {}))


def required_params(path: Path) -> set[str]:
    """Parameters without a default value (a caller must set them)."""
    return {name for name, spec in declared_params(path).items() if spec.get("default") is None}


def decorator_types(spec: dict[str, Any]) -> set[str]:
    return {decorator["type"] for decorator in spec.get("decorators", [])}


def load_parameters_file() -> dict[str, Any]:
    return cast("dict[str, Any]", json.loads(PARAMETERS_FILE.read_text()))


def load_avm_snapshot() -> dict[str, dict[str, list[str]]]:
    return cast("dict[str, dict[str, list[str]]]", json.loads(AVM_SNAPSHOT.read_text())["modules"])


def walk(node: Any) -> Iterator[Any]:
    """Every nested value of a pycep tree, depth first (for 'is X referenced anywhere' checks)."""
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def turn_nsg_rules() -> list[dict[str, Any]]:
    """Every inbound rule the TURN subnet's NSG can have: the base rules, and the TLS rule that
    ``turnNsg`` appends when TURN over TLS is enabled (checked to be wired that way)."""
    network = INFRA / "app" / "network.bicep"
    rules = resource(network, "turnNsg")["properties"]["securityRules"]["function"]
    assert rules["type"] == "concat"
    assert rules["parameters"]["arg_1"] == "turnBaseRules"
    tls = rules["parameters"]["arg_2"]["operator"]
    assert tls["type"] == "conditional" and tls["operands"]["condition"] == "turnTlsEnabled"
    assert tls["operands"] == {
        "condition": "turnTlsEnabled",
        "true_value": ["turnTlsRule"],
        "false_value": [],
    }
    variables = parse(network)["variables"]
    base = cast("list[dict[str, Any]]", variables["turnBaseRules"]["value"])
    return [*base, cast("dict[str, Any]", variables["turnTlsRule"]["value"])]
