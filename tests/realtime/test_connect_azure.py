"""Azure vs local connection: URL and auth, asserted on what a local server RECEIVED."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from azure.core.credentials import AccessToken
from pydantic import SecretStr, ValidationError

from media_host.realtime import settings as settings_module
from media_host.realtime.connect import ModelConnector, realtime_base_url
from media_host.realtime.errors import ErrorKind, ModelConnectionError
from media_host.realtime.settings import ENTRA_SCOPE, RealtimeSettings
from tests.realtime import wire
from tests.realtime.replay_server import ReplayServer, Send

ENDPOINT = "https://example-resource.openai.azure.com"


class FakeEntraCredential:
    """An azure-identity async TokenCredential: `get_token(*scopes)` → AccessToken."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    async def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> FakeEntraCredential:
        return self

    async def __aexit__(self, *args: object) -> None:
        return None


@pytest_asyncio.fixture(loop_scope="function")
async def server() -> AsyncIterator[ReplayServer]:
    srv = await ReplayServer([[Send(wire.session_created())]] * 4).start()
    yield srv
    await srv.aclose()


def azure(server: ReplayServer, **kwargs: object) -> RealtimeSettings:
    return RealtimeSettings(
        mode="azure",
        azure_endpoint=ENDPOINT,
        azure_deployment="triage-realtime",
        # Tests point the Azure client at the local server; in production this is derived
        # from the endpoint as https://<resource>.openai.azure.com/openai/v1.
        websocket_base_url=f"ws://127.0.0.1:{server.port}/openai/v1",
        **kwargs,  # type: ignore[arg-type]
    )


async def test_azure_key_auth_sends_api_key_header_on_the_ga_path(server: ReplayServer) -> None:
    connector = ModelConnector(azure(server, api_key=SecretStr("k-test-123")))
    conn = await connector.connect()
    await conn.close()
    await connector.aclose()
    (received,) = server.connections
    assert received.path == "/openai/v1/realtime?model=triage-realtime"
    assert received.headers["api-key"] == "k-test-123"
    assert "authorization" not in received.headers
    assert "openai-beta" not in received.headers


async def test_azure_entra_auth_sends_a_fresh_bearer_token_per_connect(
    server: ReplayServer,
) -> None:
    credential = FakeEntraCredential("entra-token-abc")
    connector = ModelConnector(azure(server), credential=credential)  # type: ignore[arg-type]
    for _ in range(2):
        conn = await connector.connect()
        await conn.close()
    await connector.aclose()
    assert [c.path for c in server.connections] == ["/openai/v1/realtime?model=triage-realtime"] * 2
    assert all(c.headers["authorization"] == "Bearer entra-token-abc" for c in server.connections)
    assert all("api-key" not in c.headers for c in server.connections)
    assert credential.scopes and all(s == (ENTRA_SCOPE,) for s in credential.scopes)


async def test_local_mode_uses_the_engine_url(server: ReplayServer) -> None:
    connector = ModelConnector(
        RealtimeSettings(websocket_base_url=server.ws_base, model="local-model")
    )
    conn = await connector.connect()
    await conn.close()
    await connector.aclose()
    assert server.connections[0].path == "/v1/realtime?model=local-model"


async def test_unreachable_endpoint_is_retryable() -> None:
    connector = ModelConnector(
        RealtimeSettings(websocket_base_url="ws://127.0.0.1:9/v1", connect_timeout_s=2)
    )
    with pytest.raises(ModelConnectionError) as info:
        await connector.connect()
    await connector.aclose()
    assert info.value.kind is ErrorKind.RETRYABLE


def test_ga_base_url_is_derived_from_the_endpoint() -> None:
    for endpoint in (ENDPOINT, ENDPOINT + "/", ENDPOINT + "/openai", ENDPOINT + "/openai/v1"):
        s = RealtimeSettings(mode="azure", azure_endpoint=endpoint, azure_deployment="d1")
        assert realtime_base_url(s) == ENDPOINT + "/openai/v1"


def test_from_env_accepts_the_seed_names(caplog: pytest.LogCaptureFixture) -> None:
    settings_module._api_version_warned = False
    env = {
        "TRIAGE_REALTIME_MODE": "azure",
        "AZURE_FOUNDRY_ENDPOINT": ENDPOINT,
        "AZURE_FOUNDRY_API_KEY": "k-env",
        "AZURE_DEPLOYMENT_NAME_REALTIME": "gpt-realtime-dep",
        "AZURE_API_VERSION": "2025-04-01-preview",
    }
    with caplog.at_level(logging.WARNING):
        s = RealtimeSettings.from_env(env)
        RealtimeSettings.from_env(env)
    assert s.mode == "azure" and s.model_name == "gpt-realtime-dep"
    assert s.api_key is not None and s.api_key.get_secret_value() == "k-env"
    assert realtime_base_url(s) == ENDPOINT + "/openai/v1"
    warnings = [r for r in caplog.records if "AZURE_API_VERSION" in r.getMessage()]
    assert len(warnings) == 1  # once per process
    assert "k-env" not in caplog.text


def test_from_env_defaults_to_the_local_engine() -> None:
    s = RealtimeSettings.from_env({})
    assert s.mode == "local" and realtime_base_url(s) == "ws://127.0.0.1:8765/v1"
    s = RealtimeSettings.from_env({"TRIAGE_REALTIME_URL": "ws://10.0.0.5:9000/v1"})
    assert realtime_base_url(s) == "ws://10.0.0.5:9000/v1"


@pytest.mark.parametrize(
    "env",
    [
        {"TRIAGE_REALTIME_MODE": "cloud"},
        {"TRIAGE_REALTIME_MODE": "azure", "AZURE_DEPLOYMENT_NAME_REALTIME": "d"},
        {"TRIAGE_REALTIME_MODE": "azure", "AZURE_FOUNDRY_ENDPOINT": ENDPOINT},
    ],
)
def test_from_env_rejects_incomplete_configuration(env: dict[str, str]) -> None:
    with pytest.raises((ValueError, ValidationError)):
        RealtimeSettings.from_env(env)
