"""Azure Web PubSub, the event WebSocket on Azure: Entra-only, receive-only hub, RBAC not keys."""

from __future__ import annotations

from typing import Any

from tests.infra.bicep_model import INFRA, MAIN, module_params, parse, resource, walk

APP = INFRA / "app"
TEMPLATE = APP / "webpubsub.bicep"


def test_web_pubsub_is_entra_only_with_an_sla_sku() -> None:
    service = resource(TEMPLATE, "webPubSub")
    assert service["properties"]["disableLocalAuth"] is True  # no access keys
    assert service["properties"]["disableAadAuth"] is False
    assert service["identity"]["type"] == "SystemAssigned"
    sku = parse(TEMPLATE)["parameters"]["skuName"]
    assert sku["default"] == "Standard_S1"
    allowed = next(d for d in sku["decorators"] if d["type"] == "allowed")
    assert "Free_F1" not in str(allowed)


def test_the_intake_hub_refuses_anonymous_clients_and_sends_nothing_upstream() -> None:
    hub = resource(TEMPLATE, "intakeHub")
    assert hub["parent"] == "webPubSub" and hub["name"] == "intake"
    assert hub["properties"]["anonymousConnectPolicy"] == "Deny"
    assert hub["properties"]["eventHandlers"] == []


def test_web_pubsub_logs_to_log_analytics() -> None:
    setting = resource(TEMPLATE, "webPubSubDiagnostics")
    assert setting["scope"] == "webPubSub"
    assert setting["properties"]["workspaceId"] == "logAnalyticsWorkspaceId"


def _rbac() -> dict[str, Any]:
    return parse(APP / "rbac.bicep")


def test_api_and_media_host_get_the_web_pubsub_role_on_that_resource_only() -> None:
    publishers = _rbac()["variables"]["webPubSubPublishers"]["value"]
    assert set(publishers) == {"apiPrincipalId", "mediaHostPrincipalId"}
    assignment = resource(APP / "rbac.bicep", "webPubSubAssignments")
    assert assignment["scope"] == "webPubSub"
    assert assignment["properties"]["principalType"] == "ServicePrincipal"
    assert "webPubSubServiceOwner" in str(assignment["properties"]["roleDefinitionId"])


def test_main_wires_web_pubsub_into_rbac_and_the_api_settings() -> None:
    assert module_params("webPubSub")["logAnalyticsWorkspaceId"]
    assert module_params("rbac")["webPubSubName"]
    settings = module_params("api")["appSettings"]
    assert {"TRIAGE_WEB_PUBSUB_ENDPOINT", "TRIAGE_WEB_PUBSUB_HUB"} <= set(settings)
    assert "TRIAGE_WEB_PUBSUB_ENDPOINT" in parse(MAIN)["outputs"]
    # No connection string or access key anywhere: the apps authenticate with Entra ID.
    texts = [v for v in walk(parse(MAIN)) if isinstance(v, str)]
    assert not any("listKeys" in text or "AccessKey" in text for text in texts)


def _output_of(expression: Any) -> tuple[str, str]:
    """``webPubSub.outputs.<name>`` as (module, output)."""
    operands = expression["operator"]["operands"]
    return operands["operand_1"], operands["operand_2"]["operator"]["operands"]["operand_2"]


def test_both_publishers_get_the_same_web_pubsub_endpoint_and_hub() -> None:
    """The API mints tokens for, and every media host publishes to, the one deployed hub."""
    api = module_params("api")["appSettings"]
    media = module_params("mediaHosts")
    assert _output_of(api["TRIAGE_WEB_PUBSUB_ENDPOINT"]) == ("webPubSub", "endpoint")
    assert _output_of(media["webPubSubEndpoint"]) == ("webPubSub", "endpoint")
    assert _output_of(api["TRIAGE_WEB_PUBSUB_HUB"]) == ("webPubSub", "hubName")
    assert _output_of(media["webPubSubHub"]) == ("webPubSub", "hubName")
    container = resource(APP / "mediahost.bicep", "mediaHost")["properties"]["template"]
    (app,) = container["containers"]
    env = {item["name"]: item.get("value") for item in app["env"]}
    assert env["TRIAGE_WEB_PUBSUB_ENDPOINT"] == "webPubSubEndpoint"
    assert env["TRIAGE_WEB_PUBSUB_HUB"] == "webPubSubHub"
