"""main.parameters.json (azd's JSON parameter file) agrees with main.bicep."""

from __future__ import annotations

import re

from tests.infra.bicep_model import (
    MAIN,
    declared_params,
    decorator_types,
    load_parameters_file,
    parse,
    required_params,
)

SECRET_FROM_VAULT = re.compile(
    r"^\$\(secretOrRandomPassword \$\{AZURE_KEY_VAULT_NAME\} [a-z0-9-]+\)$"
)
SECURE_PARAMS = ("mediaHostKey", "turnSharedSecret", "turnAdminPassword")


def test_is_an_arm_parameters_document() -> None:
    document = load_parameters_file()
    assert document["$schema"].endswith("deploymentParameters.json#")
    assert document["contentVersion"] == "1.0.0.0"
    assert all(set(entry) == {"value"} for entry in document["parameters"].values())


def test_every_set_parameter_is_declared() -> None:
    assert set(load_parameters_file()["parameters"]) <= set(declared_params(MAIN))


def test_every_parameter_without_default_is_set() -> None:
    assert required_params(MAIN) <= set(load_parameters_file()["parameters"])


def test_azd_environment_values_are_wired() -> None:
    values = {k: v["value"] for k, v in load_parameters_file()["parameters"].items()}
    assert values["environmentName"] == "${AZURE_ENV_NAME}"
    assert values["location"] == "${AZURE_LOCATION}"
    assert values["principalId"] == "${AZURE_PRINCIPAL_ID}"


def test_secure_parameters_come_back_from_key_vault() -> None:
    """azd re-reads generated secrets from the vault, so re-provisioning does not rotate them."""
    values = {k: v["value"] for k, v in load_parameters_file()["parameters"].items()}
    secure_required = {
        name
        for name, spec in declared_params(MAIN).items()
        if "secure" in decorator_types(spec) and spec.get("default") is None
    }
    assert secure_required == set(SECURE_PARAMS)
    for name in secure_required:
        assert SECRET_FROM_VAULT.match(values[name]), f"{name}: {values[name]!r}"
    assert "AZURE_KEY_VAULT_NAME" in parse(MAIN)["outputs"]


def test_secret_names_read_back_are_the_ones_written() -> None:
    values = {k: v["value"] for k, v in load_parameters_file()["parameters"].items()}
    read_back = {values[name].split()[-1].rstrip(")") for name in SECURE_PARAMS}
    written = {
        str(secret["name"])
        for secret in parse(MAIN)["modules"]["keyVault"]["config"]["params"]["secrets"]
    }
    variables = parse(MAIN)["variables"]
    written_names = {variables[name]["value"] for name in written}
    assert read_back == written_names
