"""The two deployables, the TURN relay and the role assignments are wired as the apps expect."""

from __future__ import annotations

import json
import re
from typing import Any, cast

import yaml

from media_host.intake_agent.settings import ENV_PREFIX as AGENT_ENV_PREFIX
from media_host.intake_agent.settings import AgentSettings
from tests.infra.bicep_model import (
    INFRA,
    MAIN,
    REPO_ROOT,
    declared_params,
    module_params,
    parse,
    resource,
    turn_nsg_rules,
    unwrap,
)

APP = INFRA / "app"
CLOUD_INIT = APP / "turn" / "cloud-init.yaml"

# The environment contract of the media host container (names read by media_host/ and shared/).
MEDIA_HOST_ENV = {
    "TRIAGE_STORAGE_TABLE_ENDPOINT",
    "AZURE_CLIENT_ID",
    "TRIAGE_MEDIA_HOST_KEY",
    "AZURE_FOUNDRY_ENDPOINT",
    "AZURE_DEPLOYMENT_NAME_REALTIME",
    "TRIAGE_TURN_URLS",
    "TRIAGE_TURN_SECRET",
    "TRIAGE_MEDIA_HOST_INTERNAL_URL",
    "TRIAGE_WEB_PUBSUB_ENDPOINT",
    "TRIAGE_WEB_PUBSUB_HUB",
}
API_SETTINGS = {
    "TRIAGE_STORAGE_TABLE_ENDPOINT",
    "AZURE_CLIENT_ID",
    "TRIAGE_MEDIA_HOST_KEY",
    "TRIAGE_TURN_URLS",
    "TRIAGE_TURN_SECRET",
    "TRIAGE_STUN_URLS",
    "TRIAGE_SUPPORTED_LANGUAGES",
    "TRIAGE_TRUSTED_PROXY_COUNT",
    "TRIAGE_WEB_PUBSUB_ENDPOINT",
    "TRIAGE_WEB_PUBSUB_HUB",
}
SECRET_SETTINGS = {"TRIAGE_MEDIA_HOST_KEY", "TRIAGE_TURN_SECRET"}


# --- control plane ------------------------------------------------------------------------------


def test_function_app_runs_python_311_on_flex_consumption() -> None:
    plan = resource(APP / "api.bicep", "plan")
    assert plan["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    config = resource(APP / "api.bicep", "api")["properties"]["functionAppConfig"]
    assert config["runtime"] == {"name": "python", "version": "3.11"}
    assert config["deployment"]["storage"]["authentication"]["type"] == "UserAssignedIdentity"


def test_function_platform_settings() -> None:
    settings = parse(APP / "api.bicep")["variables"]["platformSettings"]["value"]
    assert settings["PYTHON_ENABLE_INIT_INDEXING"] == "1"
    assert settings["PYTHON_ISOLATE_WORKER_DEPENDENCIES"] == "1"
    assert settings["AzureWebJobsDisableHomepage"] == "true"  # / is the web client
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert settings["AzureWebJobsStorage__clientId"] == "identityClientId"
    assert "AzureWebJobsStorage__accountName" in settings
    # Flex Consumption rejects these; the runtime comes from functionAppConfig instead.
    assert not {"FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION"} & set(settings)
    assert not any(name == "AzureWebJobsStorage" for name in settings)  # no connection string


def test_function_app_settings_use_the_app_contract_and_key_vault_references() -> None:
    settings = module_params("api")["appSettings"]
    assert set(settings) == API_SETTINGS
    for name in SECRET_SETTINGS:
        assert settings[name].startswith("@Microsoft.KeyVault(SecretUri="), name
    assert settings["TRIAGE_TURN_URLS"] == "turnUrls"
    site_settings = resource(APP / "api.bicep", "api")["properties"]["siteConfig"]["appSettings"]
    source = site_settings["loop_type"]["detail"]["array_name"]["function"]
    assert source == {"type": "items", "parameters": {"arg_1": "allSettings"}}
    merged = parse(APP / "api.bicep")["variables"]["allSettings"]["value"]["function"]
    assert merged["type"] == "union"
    assert list(merged["parameters"].values()) == ["appSettings", "platformSettings"]


# --- media host ---------------------------------------------------------------------------------


def _media_host_container() -> dict[str, Any]:
    app = resource(APP / "mediahost.bicep", "mediaHost")
    (container,) = app["properties"]["template"]["containers"]
    return cast("dict[str, Any]", container)


def test_media_host_environment_matches_the_contract() -> None:
    env = {item["name"]: item for item in _media_host_container()["env"]}
    assert set(env) >= MEDIA_HOST_ENV
    assert set(env) - MEDIA_HOST_ENV == {
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "TRIAGE_MEDIA_HOST_BIND",
        "TRIAGE_MEDIA_HOST_PORT",
        "TRIAGE_REALTIME_MODE",
        "TRIAGE_ICE_TRANSPORT_POLICY",
        "TRIAGE_AGENT_SUPPORTED_LANGUAGES",
        "TRIAGE_MEDIA_HOST_DRAIN_TIMEOUT_S",
    }
    for name in SECRET_SETTINGS:
        assert "secretRef" in env[name] and "value" not in env[name], name
    # Production mode: the Azure model, reachable only over TURN relay, listening on all interfaces.
    assert env["TRIAGE_REALTIME_MODE"]["value"] == "azure"
    assert env["TRIAGE_ICE_TRANSPORT_POLICY"]["value"] == "relay"
    assert env["TRIAGE_MEDIA_HOST_BIND"]["value"] == "0.0.0.0"
    assert env["TRIAGE_MEDIA_HOST_PORT"]["value"] == "8080"
    assert env["TRIAGE_MEDIA_HOST_INTERNAL_URL"]["value"] == "internalUrl"


# Names the deployment may set although no code reads them yet: the Web PubSub negotiate and
# publish path is a documented design (docs/deployment.md, "Event WebSocket on Azure").
NOT_YET_READ: set[str] = set()
CONTAINER_APPS_MAX_GRACE_S = 600


def _names_read_by_the_code() -> str:
    sources = [REPO_ROOT / "shared", REPO_ROOT / "control_plane", REPO_ROOT / "media_host"]
    return "\n".join(path.read_text() for root in sources for path in root.rglob("*.py"))


def test_every_variable_the_deployment_sets_is_read_by_the_code() -> None:
    code = _names_read_by_the_code()
    env = {item["name"] for item in _media_host_container()["env"]}
    names = env | set(module_params("api")["appSettings"])  # incl. APPLICATIONINSIGHTS_*
    agent_fields = set(AgentSettings.model_fields)
    for name in sorted(names - NOT_YET_READ):
        if name.startswith(AGENT_ENV_PREFIX):  # read as prefix + field name (AgentSettings)
            assert name.removeprefix(AGENT_ENV_PREFIX).lower() in agent_fields, name
            continue
        assert f'"{name}"' in code, f"{name} is set by infra but read nowhere"
    for name in NOT_YET_READ:
        assert f'"{name}"' not in code, f"{name} is read now: drop it from NOT_YET_READ"


def test_media_host_secrets_are_key_vault_references() -> None:
    app = resource(APP / "mediahost.bicep", "mediaHost")
    secrets = app["properties"]["configuration"]["secrets"]
    refs = {item["secretRef"] for item in _media_host_container()["env"] if "secretRef" in item}
    assert {secret["name"] for secret in secrets} == refs
    for secret in secrets:
        assert set(secret) == {"name", "keyVaultUrl", "identity"}


def test_media_host_probes_use_livez_and_readyz_once_the_real_image_runs() -> None:
    probes = parse(APP / "mediahost.bicep")["variables"]["livenessProbes"]["value"]
    paths = {probe["type"]: probe["httpGet"] for probe in probes}
    assert paths == {
        "Startup": {"path": "/livez", "port": 8080},
        "Liveness": {"path": "/livez", "port": 8080},
        "Readiness": {"path": "/readyz", "port": 8080},
    }
    server = (REPO_ROOT / "media_host" / "server.py").read_text()
    assert '"/livez"' in server and '"/readyz"' in server
    attached = _media_host_container()["probes"]["operator"]
    assert attached["type"] == "conditional"
    assert attached["operands"]["condition"]["function"]["type"] == "empty"
    assert attached["operands"]["false_value"] == "livenessProbes"


def test_media_host_api_is_internal_on_8080() -> None:
    app = resource(APP / "mediahost.bicep", "mediaHost")
    ingress = app["properties"]["configuration"]["ingress"]
    assert ingress["targetPort"] == 8080
    assert ingress["allowInsecure"] is False
    (rule,) = ingress["ipSecurityRestrictions"]
    assert rule["action"] == "Allow" and rule["ipAddressRange"] == "allowedCallerPrefix"
    assert (
        module_params("mediaHosts")["allowedCallerPrefix"]["operator"]["operands"]["operand_1"]
        == "network"
    )


def test_two_media_hosts_each_one_addressable_replica_swapped_by_single_revision_mode() -> None:
    """D110: ingress cannot address a replica, so the hosts are container apps of one replica
    each (two of them, each its own azd service); single-revision mode starts a new revision
    and SIGTERMs the old one only once the new one is ready."""
    services = parse(MAIN)["variables"]["mediaHostServices"]["value"]
    assert services == [
        {"service": "mediahost", "image": "mediaHostImageName"},
        {"service": "mediahost2", "image": "mediaHost2ImageName"},
    ]
    module = parse(MAIN)["modules"]["mediaHosts"]["config"]
    assert module["loop_type"]["detail"]["array_name"] == "mediaHostServices"
    params = module_params("mediaHosts")
    for name, field in (("serviceName", "service"), ("imageName", "image")):
        assert params[name]["operator"]["operands"]["operand_2"] == field, name
        assert params[name]["operator"]["operands"]["operand_1"] == "host", name
    assert params["name"] == "${abbrs.appContainerApps}${host.service}-${resourceToken}"
    only_first = params["manageEnvironmentDns"]["operator"]
    assert only_first == {"type": "equals", "operands": {"operand_1": "index", "operand_2": 0}}

    app = resource(APP / "mediahost.bicep", "mediaHost")
    assert app["properties"]["configuration"]["activeRevisionsMode"] == "Single"
    assert app["properties"]["template"]["scale"] == {"minReplicas": 1, "maxReplicas": 1}
    assert app["tags"]["function"]["parameters"]["arg_2"] == {"'azd-service-name'": "serviceName"}
    resources = parse(APP / "mediahost.bicep")["resources"]
    for symbol in ("environmentDns", "environmentDnsWildcard", "environmentDnsLink"):
        assert resources[symbol]["config"]["condition"] == "manageEnvironmentDns", symbol

    parameters = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert parameters["mediaHost2ImageName"]["value"] == "${SERVICE_MEDIAHOST2_IMAGE_NAME=}"
    azd = yaml.safe_load((REPO_ROOT / "azure.yaml").read_text())["services"]
    assert azd["mediahost2"] == azd["mediahost"]  # one build, two apps


def test_media_host_grace_period_outlasts_the_drain_window() -> None:
    template = resource(APP / "mediahost.bicep", "mediaHost")["properties"]["template"]
    assert template["terminationGracePeriodSeconds"] == "terminationGracePeriodSeconds"
    grace = parse(APP / "mediahost.bicep")["variables"]["terminationGracePeriodSeconds"]["value"]
    # drainTimeoutSeconds + 30: the drain, then ending the rest and deregistering.
    assert grace["operator"]["type"] == "add"
    assert grace["operator"]["operands"] == {"operand_1": "drainTimeoutSeconds", "operand_2": 30}
    drain = declared_params(APP / "mediahost.bicep")["drainTimeoutSeconds"]
    assert drain["default"] == 300
    limits = {item["type"]: item["argument"] for item in drain["decorators"]}
    assert limits["max_value"] + 30 <= CONTAINER_APPS_MAX_GRACE_S
    env = {item["name"]: item for item in _media_host_container()["env"]}
    drain_env = env["TRIAGE_MEDIA_HOST_DRAIN_TIMEOUT_S"]["value"]
    assert drain_env["function"]["parameters"] == {"value_to_convert": "drainTimeoutSeconds"}
    assert module_params("mediaHosts")["drainTimeoutSeconds"] == "mediaHostDrainSeconds"


def test_languages_flow_from_one_parameter_to_both_deployables() -> None:
    env = {item["name"]: item for item in _media_host_container()["env"]}
    assert env["TRIAGE_AGENT_SUPPORTED_LANGUAGES"]["value"] == "supportedLanguages"
    assert module_params("mediaHosts")["supportedLanguages"] == "supportedLanguages"
    assert module_params("api")["appSettings"]["TRIAGE_SUPPORTED_LANGUAGES"] == "supportedLanguages"


def test_api_concurrency_is_sized_for_held_streams() -> None:
    config = resource(APP / "api.bicep", "api")["properties"]["functionAppConfig"]
    http = config["scaleAndConcurrency"]["triggers"]["http"]
    assert http == {"perInstanceConcurrency": "perInstanceConcurrency"}
    assert declared_params(APP / "api.bicep")["perInstanceConcurrency"]["default"] == 100
    assert module_params("api")["perInstanceConcurrency"] == "apiPerInstanceConcurrency"
    assert declared_params(MAIN)["apiPerInstanceConcurrency"]["default"] == 100
    assert "perInstanceConcurrency" in (REPO_ROOT / "docs" / "deployment.md").read_text()


# --- TURN ---------------------------------------------------------------------------------------


def test_turn_nsg_opens_udp_listener_and_relay_range() -> None:
    rules = {rule["name"]: rule["properties"] for rule in turn_nsg_rules()}
    udp = {r["destinationPortRange"] for r in rules.values() if r["protocol"] == "Udp"}
    assert udp == {"3478", "${turnMinPort}-${turnMaxPort}"}
    tcp = {r["destinationPortRange"] for r in rules.values() if r["protocol"] == "Tcp"}
    assert tcp == {"3478", "5349"}  # 5349 (TLS) only when enabled, see turn_nsg_rules
    assert all(r["access"] == "Allow" and r["direction"] == "Inbound" for r in rules.values())


def test_turn_relay_range_defaults_cover_the_dynamic_ports() -> None:
    params = parse(MAIN)["parameters"]
    assert params["turnMinPort"]["default"] == 49152
    assert params["turnMaxPort"]["default"] == 65535


def test_coturn_uses_the_rest_shared_secret_and_blocks_private_peers() -> None:
    cloud_init = yaml.safe_load(CLOUD_INIT.read_text())
    assert cloud_init["ssh_pwauth"] is False
    assert "coturn" in cloud_init["packages"]
    files = {entry["path"]: entry["content"] for entry in cloud_init["write_files"]}
    script = files["/usr/local/sbin/turn-config-refresh"]
    for line in (
        "use-auth-secret",
        "static-auth-secret=$secret",
        "min-port=__MIN_PORT__",
        "max-port=__MAX_PORT__",
        "listening-port=3478",
        "no-cli",
        "denied-peer-ip=10.0.0.0-10.255.255.255",
        "denied-peer-ip=169.254.0.0-169.254.255.255",
    ):
        assert f"\n{line}\n" in script, line
    # coturn must never start on the package's unauthenticated default configuration.
    dropin = files["/etc/systemd/system/coturn.service.d/10-require-key-vault-config.conf"]
    assert "ConditionPathExists=/etc/turnserver.conf.from-key-vault" in dropin


def test_every_cloud_init_placeholder_is_filled_by_turn_bicep() -> None:
    placeholders = set(re.findall(r"__[A-Z_]+__", CLOUD_INIT.read_text())) - {"__PLACEHOLDERS__"}
    replaced: set[str] = set()
    node = parse(APP / "turn.bicep")["variables"]["cloudInit"]["value"]
    while isinstance(node, dict) and "function" in node:
        call = node["function"]
        if call["type"] != "replace":
            assert call["type"] == "load_text_content"
            assert call["parameters"]["file_path"] == "turn/cloud-init.yaml"
            break
        replaced.add(call["parameters"]["old_string"])
        node = call["parameters"]["original_string"]
    assert placeholders and placeholders == replaced


def test_ice_urls_point_at_the_relay_frontend_including_443() -> None:
    """UDP first (the media host's aiortc uses only the first TURN URL); 443 is TLS with a
    certificate's host name, plain TCP on the frontend otherwise; all go to every peer."""
    variables = parse(MAIN)["variables"]
    assert variables["turnUdpTcpUrls"]["value"].split(",") == [
        "turn:${turnLb.outputs.fqdn}:3478?transport=udp",
        "turn:${turnLb.outputs.fqdn}:3478?transport=tcp",
    ]
    web_port = variables["turnWebPortUrl"]["value"]["operator"]
    assert web_port == {
        "type": "conditional",
        "operands": {
            "condition": "turnTlsEnabled",
            "true_value": "turns:${turnTlsHostName}:443?transport=tcp",
            "false_value": "turn:${turnLb.outputs.fqdn}:443?transport=tcp",
        },
    }
    assert variables["turnUrls"]["value"] == "${turnUdpTcpUrls},${turnWebPortUrl}"
    enabled = variables["turnTlsEnabled"]["value"]["operator"]
    assert enabled == {
        "type": "not",
        "operands": {
            "bool_value": {
                "function": {"type": "empty", "parameters": {"item_to_test": "turnTlsHostName"}}
            }
        },
    }
    assert variables["stunUrls"]["value"] == "stun:${turnLb.outputs.fqdn}:3478"
    # The same list reaches the API (the browser's list) and both media hosts.
    assert module_params("api")["appSettings"]["TRIAGE_TURN_URLS"] == "turnUrls"
    assert module_params("mediaHosts")["turnUrls"] == "turnUrls"


def test_turn_over_tls_listens_behind_443_with_a_key_vault_certificate() -> None:
    """With a certificate, 443 on the balancer goes to coturn's TLS listener (5349), which each
    VM configures from the Key Vault certificate its identity may read; without one, nothing
    listens for TLS (``no-tls``) and no grant or NSG rule exists."""
    assert module_params("turnLb")["tlsEnabled"] == "turnTlsEnabled"
    assert module_params("network")["turnTlsEnabled"] == "turnTlsEnabled"
    assert module_params("rbac")["turnTlsCertificateName"] == "turnTlsCertificate"
    for vm in ("turn", "turn2"):
        assert module_params(vm)["tlsCertificateName"] == "turnTlsCertificate", vm
    only_when_enabled = parse(MAIN)["variables"]["turnTlsCertificate"]["value"]["operator"]
    assert only_when_enabled["operands"]["condition"] == "turnTlsEnabled"
    assert only_when_enabled["operands"]["false_value"] == ""
    assert declared_params(MAIN)["turnTlsHostName"]["default"] == ""  # off unless configured

    rules = {
        r["frontendPort"]: r
        for r in parse(APP / "turnlb.bicep")["variables"]["listenerRules"]["value"]
    }
    web = rules[443]["backendPort"]["operator"]["operands"]
    assert (web["condition"], web["true_value"], web["false_value"]) == ("tlsEnabled", 5349, 3478)
    tls_rule = parse(APP / "network.bicep")["variables"]["turnTlsRule"]["value"]["properties"]
    assert (tls_rule["protocol"], tls_rule["destinationPortRange"]) == ("Tcp", "5349")

    script = {
        entry["path"]: entry["content"]
        for entry in yaml.safe_load(CLOUD_INIT.read_text())["write_files"]
    }["/usr/local/sbin/turn-config-refresh"]
    assert "tls_name='__TLS_CERT_NAME__'" in script
    assert "tls_conf=no-tls\n" in script  # the default: no TLS listener
    for setting in ("tls-listening-port=5349", "cert=/etc/coturn/turn.pem", "no-tlsv1_1"):
        assert setting in script, setting
    assert "\n$tls_conf\n" in script and "\nno-tls\n" not in script
    assert '"__KEY_VAULT_URI__secrets/$tls_name?api-version=7.4"' in script

    rbac = parse(APP / "rbac.bicep")["resources"]
    assert rbac["turnTlsSecret"]["config"]["condition"]["operator"]["type"] == "not"
    grant = rbac["turnTlsAssignment"]
    assert grant["config"]["condition"]["operator"]["type"] == "not"
    body = unwrap(grant["config"])
    assert body["scope"] == "turnTlsSecret"
    assert body["properties"]["principalId"] == "turnPrincipalId"


def test_turn_tier_is_two_vms_behind_one_balanced_frontend() -> None:
    """aiortc uses only the first TURN server, so the VMs share one address; losing one VM
    leaves the other behind the frontend (the health probe takes the dead one out)."""
    modules = parse(MAIN)["modules"]
    vms = [s for s, module in modules.items() if module["detail"]["path"] == "app/turn.bicep"]
    assert sorted(vms) == ["turn", "turn2"]
    for symbol in vms:
        params = module_params(symbol)
        pool = params["loadBalancerBackendPoolId"]["operator"]["operands"]
        assert pool["operand_1"] == "turnLb", symbol
    nic = resource(APP / "turn.bicep", "nic")["properties"]["ipConfigurations"][0]["properties"]
    assert nic["loadBalancerBackendAddressPools"] == [{"id": "loadBalancerBackendPoolId"}]
    assert len({module_params(symbol)["name"] for symbol in vms}) == len(vms)

    lb = resource(APP / "turnlb.bicep", "loadBalancer")["properties"]
    (probe,) = lb["probes"]
    assert probe["properties"]["protocol"] == "Tcp" and probe["properties"]["port"] == 3478
    rules = parse(APP / "turnlb.bicep")["variables"]["listenerRules"]["value"]
    assert {(rule["protocol"], rule["frontendPort"]) for rule in rules} == {
        ("Udp", 3478),
        ("Tcp", 3478),
        ("Tcp", 443),
    }
    loop = lb["loadBalancingRules"]
    assert loop["loop_type"]["detail"]["array_name"] == "listenerRules"
    rule_body = loop["config"]
    backend = rule_body["properties"]["backendPort"]["operator"]["operands"]
    assert backend == {"operand_1": "rule", "operand_2": "backendPort"}
    assert [rule["backendPort"] for rule in rules[:2]] == [3478, 3478]
    assert rule_body["properties"]["loadDistribution"] == "SourceIP"


# --- identities and roles -----------------------------------------------------------------------

BUILT_IN_ROLES = {
    "storageBlobDataOwner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "storageTableDataContributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
    "keyVaultSecretsUser": "4633458b-17de-408a-b874-0445c86b69e6",
    "keyVaultSecretsOfficer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "acrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "cognitiveServicesOpenAiUser": "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
    "monitoringMetricsPublisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    "webPubSubServiceOwner": "12cf5a90-567b-43ae-8102-96cf46c7d9b3",
}


def _rbac_var(name: str) -> Any:
    return parse(APP / "rbac.bicep")["variables"][name]["value"]


def test_role_ids_are_the_built_in_definitions() -> None:
    assert _rbac_var("roles") == BUILT_IN_ROLES


def test_storage_grants_are_least_privilege() -> None:
    grants = {
        (grant["principalId"], grant["role"]["operator"]["operands"]["operand_2"])
        for grant in _rbac_var("storageGrants")
    }
    assert grants == {
        ("apiPrincipalId", "storageBlobDataOwner"),
        ("apiPrincipalId", "storageTableDataContributor"),
        ("mediaHostPrincipalId", "storageTableDataContributor"),
    }


def test_secret_readers_are_scoped_per_secret() -> None:
    assert set(_rbac_var("mediaHostKeyReaders")) == {"apiPrincipalId", "mediaHostPrincipalId"}
    assert set(_rbac_var("turnSecretReaders")) == {
        "apiPrincipalId",
        "mediaHostPrincipalId",
        "turnPrincipalId",
    }
    for symbol, scope in (
        ("mediaHostKeyAssignments", "mediaHostKeySecret"),
        ("turnSecretAssignments", "turnSecret"),
    ):
        assert resource(APP / "rbac.bicep", symbol)["scope"] == scope


def test_media_host_gets_acr_pull_and_openai_user() -> None:
    for symbol, scope in (("mediaHostAcrPull", "registry"), ("mediaHostOpenAiUser", "aiAccount")):
        assignment = resource(APP / "rbac.bicep", symbol)
        assert assignment["scope"] == scope
        assert assignment["properties"]["principalId"] == "mediaHostPrincipalId"


def test_user_grants_are_conditional_on_a_principal() -> None:
    rbac = parse(APP / "rbac.bicep")["resources"]
    for symbol in ("userSecretsOfficer", "userOpenAiUser"):
        assert rbac[symbol]["config"]["condition"]  # only when principalId is set


def test_workloads_wait_for_their_roles() -> None:
    modules = parse(MAIN)["modules"]
    for symbol in ("api", "mediaHosts", "turn", "turn2"):
        assert "rbac" in unwrap(modules[symbol]["config"])["dependsOn"], symbol


# --- AI and outputs -----------------------------------------------------------------------------


def test_realtime_deployment_is_optional_and_pinned() -> None:
    deployment = parse(APP / "openai.bicep")["resources"]["realtime"]["config"]
    assert deployment["condition"] == "deployRealtimeModel"
    body = unwrap(deployment)
    assert body["properties"]["versionUpgradeOption"] == "NoAutoUpgrade"
    defaults = parse(MAIN)["parameters"]
    assert defaults["realtimeModelName"]["default"] == "gpt-realtime"
    assert defaults["deployRealtimeModel"]["default"] is True


def test_outputs_azd_and_the_apps_need() -> None:
    outputs = set(parse(MAIN)["outputs"])
    assert {
        "AZURE_LOCATION",
        "AZURE_TENANT_ID",
        "AZURE_RESOURCE_GROUP",
        "AZURE_CONTAINER_REGISTRY_ENDPOINT",
        "AZURE_CONTAINER_ENVIRONMENT_NAME",
        "AZURE_KEY_VAULT_NAME",
        "SERVICE_API_NAME",
        "AZURE_FOUNDRY_ENDPOINT",
        "AZURE_DEPLOYMENT_NAME_REALTIME",
        "TRIAGE_TURN_URLS",
        "TRIAGE_STORAGE_TABLE_ENDPOINT",
    } <= outputs
