"""Host settings from the environment, and the registry heartbeat against real Azurite."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from media_host.registry_heartbeat import RegistryHeartbeat
from media_host.settings import MediaHostSettings
from shared.problems import NotFound
from shared.storage import MediaHostRegistry, TableStore
from tests.media_host.support import host_settings

BASE_ENV = {
    "TRIAGE_STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true",
    "TRIAGE_MEDIA_HOST_KEY": "k" * 40,
}


def test_defaults_from_a_minimal_environment() -> None:
    settings = MediaHostSettings.from_env(BASE_ENV)
    assert (settings.bind_host, settings.bind_port) == ("127.0.0.1", 8080)
    assert settings.advertised_url == "http://127.0.0.1:8080"
    assert settings.ice_transport_policy == "all"
    assert settings.max_datachannel_message_bytes == 4096
    assert settings.realtime.mode == "local"
    assert settings.host_id


def test_overrides_from_the_environment() -> None:
    env = {
        **BASE_ENV,
        "TRIAGE_MEDIA_HOST_ID": "mh-1",
        "TRIAGE_MEDIA_HOST_PORT": "9090",
        "TRIAGE_MEDIA_HOST_INTERNAL_URL": "http://mh-1.internal:9090",
        "TRIAGE_MEDIA_HOST_CAPACITY": "30",
        "TRIAGE_ICE_TRANSPORT_POLICY": "relay",
        "TRIAGE_TURN_URLS": "turn:turn.example:3478",
        "TRIAGE_TURN_SECRET": "s3cret",
        "TRIAGE_ICE_DISCONNECT_GRACE_S": "4",
    }
    settings = MediaHostSettings.from_env(env)
    assert settings.host_id == "mh-1" and settings.capacity == 30
    assert settings.advertised_url == "http://mh-1.internal:9090"
    assert settings.ice_transport_policy == "relay"
    assert settings.ice.turn_urls == ["turn:turn.example:3478"]
    assert settings.ice_disconnect_grace_s == 4


@pytest.mark.parametrize(
    "env",
    [
        {"TRIAGE_STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true"},  # no host key
        {**BASE_ENV, "TRIAGE_ICE_TRANSPORT_POLICY": "none"},
        {**BASE_ENV, "TRIAGE_MEDIA_HOST_CAPACITY": "-1"},
        {**BASE_ENV, "TRIAGE_MEDIA_HOST_ID": "bad id/with slash"},
    ],
)
def test_invalid_environments_are_refused(env) -> None:
    with pytest.raises((ValidationError, ValueError)):
        MediaHostSettings.from_env(env)


async def test_heartbeat_registers_reports_load_and_deregisters(azurite, table_prefix) -> None:
    settings = host_settings(azurite.connection_string, table_prefix, capacity=7)
    store = TableStore.from_settings(settings.storage)
    await store.open()
    registry = MediaHostRegistry(store)
    load = {"active": 0, "draining": False}
    heartbeat = RegistryHeartbeat(
        registry,
        host_id=settings.host_id,
        internal_url="http://10.0.0.5:8080",
        capacity=settings.capacity,
        interval_s=60,
        load=lambda: (load["active"], load["draining"]),
    )
    try:
        await heartbeat.start()
        record = await registry.get(settings.host_id)
        assert (record.internal_url, record.capacity, record.active_sessions) == (
            "http://10.0.0.5:8080",
            7,
            0,
        )
        load.update(active=3, draining=True)
        assert await heartbeat.beat()
        record = await registry.get(settings.host_id)
        assert record.active_sessions == 3 and record.draining
        await heartbeat.stop(deregister=True)
        with pytest.raises(NotFound):
            await registry.get(settings.host_id)
    finally:
        await store.close()
