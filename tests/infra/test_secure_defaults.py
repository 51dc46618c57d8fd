"""Secure-by-default settings that a reviewer would otherwise have to re-check by eye."""

from __future__ import annotations

from media_host.intake_agent.settings import AgentSettings
from shared.storage.tables import ALL_TABLES
from tests.infra.bicep_model import INFRA, MAIN, module_params, parse, resource, turn_nsg_rules

APP = INFRA / "app"


def test_storage_is_entra_only_private_and_tls12() -> None:
    storage = module_params("storage")
    assert storage["allowSharedKeyAccess"] is False
    assert storage["defaultToOAuthAuthentication"] is True
    assert storage["allowBlobPublicAccess"] is False
    assert storage["supportsHttpsTrafficOnly"] is True
    assert storage["minimumTlsVersion"] == "TLS1_2"
    assert storage["publicNetworkAccess"] == "Disabled"
    assert storage["networkAcls"]["defaultAction"] == "Deny"


def test_storage_creates_the_app_tables_and_private_endpoints() -> None:
    tables = parse(MAIN)["variables"]["storageTables"]["value"]
    # Exactly the tables the code uses (so none is missing when the apps start without
    # the right to create tables).
    assert set(tables) == {*ALL_TABLES, AgentSettings().checkpoint_table}
    endpoints = module_params("storage")["privateEndpoints"]
    assert set(endpoints["loop_type"]["detail"]["array_name"]) == {"blob", "queue", "table"}


def test_key_vault_is_rbac_only_with_purge_protection() -> None:
    vault = module_params("keyVault")
    assert vault["enableRbacAuthorization"] is True
    assert vault["enablePurgeProtection"] is True
    assert vault["softDeleteRetentionInDays"] >= 7


def test_registry_has_no_admin_user_or_anonymous_pull() -> None:
    registry = module_params("registry")
    assert registry["acrAdminUserEnabled"] is False
    assert registry["anonymousPullEnabled"] is False


def test_container_apps_environment_is_internal_and_vnet_integrated() -> None:
    environment = module_params("containerAppsEnvironment")
    assert environment["internal"] is True
    assert environment["publicNetworkAccess"] == "Disabled"
    assert environment["infrastructureSubnetResourceId"]
    assert environment["workloadProfiles"][0]["workloadProfileType"] == "Consumption"
    assert environment["appLogsConfiguration"]["destination"] == "log-analytics"


def test_app_insights_accepts_only_entra_telemetry() -> None:
    assert module_params("appInsights")["disableLocalAuth"] is True


def test_ai_account_has_local_auth_disabled() -> None:
    account = resource(APP / "openai.bicep", "account")
    assert account["properties"]["disableLocalAuth"] is True
    assert account["properties"]["customSubDomainName"]  # needed for Entra tokens


def test_everything_that_logs_sends_diagnostics_to_log_analytics() -> None:
    for symbol in ("storage", "keyVault", "registry"):
        assert module_params(symbol)["diagnosticSettings"] == "diagnostics", symbol
    diagnostics = parse(MAIN)["variables"]["diagnostics"]["value"]
    assert "workspaceResourceId" in diagnostics[0]
    for template, symbol, target in (
        ("api.bicep", "apiDiagnostics", "api"),
        ("openai.bicep", "accountDiagnostics", "account"),
    ):
        setting = resource(APP / template, symbol)
        assert setting["scope"] == target
        assert setting["properties"]["workspaceId"] == "logAnalyticsWorkspaceId"
        assert setting["properties"]["logs"]


def test_function_app_is_https_only_tls12_without_basic_auth() -> None:
    api = resource(APP / "api.bicep", "api")["properties"]
    assert api["httpsOnly"] is True
    assert api["siteConfig"]["minTlsVersion"] == "1.2"
    assert api["siteConfig"]["ftpsState"] == "Disabled"
    for symbol in ("ftpCredentials", "scmCredentials"):
        assert resource(APP / "api.bicep", symbol)["properties"]["allow"] is False


def test_only_the_turn_subnet_accepts_internet_traffic() -> None:
    network = APP / "network.bicep"
    assert resource(network, "privateNsg")["properties"]["securityRules"] == []
    for rule in turn_nsg_rules():
        assert rule["properties"]["destinationAddressPrefix"] == "turnPrefix"
        assert rule["properties"]["destinationPortRange"] != "22"
    subnets = resource(network, "vnet")["properties"]["subnets"]
    for subnet in subnets:
        assert subnet["properties"]["defaultOutboundAccess"] is False
        expected = "turnNsg" if subnet["name"] == "turn" else "privateNsg"
        nsg = subnet["properties"]["networkSecurityGroup"]["id"]
        assert nsg["operator"]["operands"]["operand_1"] == expected, subnet["name"]
