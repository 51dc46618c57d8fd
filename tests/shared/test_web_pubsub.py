"""Web PubSub through the real SDK, its HTTP requests intercepted (tests/support/web_pubsub.py)."""

from __future__ import annotations

import asyncio
import json

import pytest

from shared.events import Event, NewEvent, SessionStatus, StatusUpdate, TranscriptChunk
from shared.problems import ServiceUnavailable
from shared.web_pubsub import (
    SessionEventForwarder,
    WebPubSub,
    WebPubSubSettings,
    session_group,
)
from tests.support.web_pubsub import (
    CLIENT_TOKEN,
    ENDPOINT,
    ENTRA_TOKEN,
    CapturingTransport,
    FixedCredential,
)

SESSION = "0f3c6a1e9b2d4c5e8f7a6b5c4d3e2f10"


def _event(seq: int, text: str = "hello") -> Event:
    data = TranscriptChunk(role="agent", item_id="it_1", text=text, final=True)
    return Event.from_new(NewEvent(data=data), seq=seq, session_id=SESSION)


def _hub(transport: CapturingTransport, **settings: object) -> tuple[WebPubSub, FixedCredential]:
    credential = FixedCredential()
    hub = WebPubSub(
        WebPubSubSettings(endpoint=ENDPOINT, hub="intake", **settings),  # type: ignore[arg-type]
        credential=credential,
        transport=transport,
    )
    return hub, credential


def test_settings_come_from_the_deployment_variables() -> None:
    assert WebPubSubSettings.from_env({}) is None
    settings = WebPubSubSettings.from_env(
        {
            "TRIAGE_WEB_PUBSUB_ENDPOINT": ENDPOINT,
            "TRIAGE_WEB_PUBSUB_HUB": "intake",
            "AZURE_CLIENT_ID": "mi-client-id",
        }
    )
    assert settings is not None
    assert (settings.endpoint, settings.hub) == (ENDPOINT, "intake")
    assert settings.managed_identity_client_id == "mi-client-id"
    with pytest.raises(ValueError):
        WebPubSubSettings(endpoint="http://plain.example")  # Entra tokens only over TLS
    with pytest.raises(ValueError):
        WebPubSubSettings(endpoint=ENDPOINT, hub="no/slashes")


async def test_negotiate_asks_for_a_receive_only_token_in_the_session_group() -> None:
    transport = CapturingTransport()
    hub, credential = _hub(transport)
    access = await hub.client_access(SESSION)
    await hub.aclose()

    (request,) = transport.requests
    assert request.method == "POST"
    assert request.url.startswith(ENDPOINT + "/api/hubs/intake/:generateToken?")
    assert request.query["userId"] == [SESSION]
    assert request.query["group"] == [session_group(SESSION)] == ["session-" + SESSION]
    assert request.query["minutesToExpire"] == ["1"]
    assert "role" not in request.query  # no send / join permissions: receive only
    # Entra ID (RBAC), not an access key: a bearer token for the Web PubSub audience.
    assert request.headers["Authorization"] == f"Bearer {ENTRA_TOKEN}"
    assert credential.scopes == ["https://webpubsub.azure.com/.default"]

    assert access.url == (
        "wss://wps-test.webpubsub.azure.com/client/hubs/intake?access_token=" + CLIENT_TOKEN
    )


async def test_a_failing_service_answers_web_pubsub_unavailable_with_retry_after() -> None:
    hub, _ = _hub(CapturingTransport(fail_with=403))
    with pytest.raises(ServiceUnavailable) as caught:
        await hub.client_access(SESSION)
    await hub.aclose()
    assert caught.value.code == "web_pubsub_unavailable"
    assert caught.value.headers["Retry-After"].isdigit()
    assert CLIENT_TOKEN not in str(caught.value)


async def test_publish_sends_each_event_wire_json_to_the_group_in_order() -> None:
    transport = CapturingTransport()
    hub, _ = _hub(transport)
    events = [_event(4, "¿le duele?"), _event(5)]
    await hub.publish(SESSION, events)
    await hub.aclose()

    sends = transport.sends()
    assert [s.path for s in sends] == [f"/api/hubs/intake/groups/session-{SESSION}/:send"] * 2
    for sent, event in zip(sends, events, strict=True):
        assert sent.method == "POST"
        assert sent.headers["Content-Type"] == "application/json"
        assert sent.headers["Authorization"] == f"Bearer {ENTRA_TOKEN}"
        assert json.loads(sent.body) == event.wire()  # the same object as on every channel
    assert [json.loads(s.body)["seq"] for s in sends] == [4, 5]


async def test_publish_quietly_survives_a_refusing_service() -> None:
    transport = CapturingTransport(fail_with=403)
    hub, _ = _hub(transport)
    await hub.publish_quietly(SESSION, [_event(1)])  # logged, not raised
    await hub.aclose()
    assert transport.sends()


async def test_a_stalled_service_cannot_hold_a_request_or_a_call() -> None:
    transport = CapturingTransport(hang=True)
    hub, _ = _hub(transport, inline_publish_timeout_s=0.05, publish_timeout_s=0.05)
    await hub.publish_quietly(SESSION, [_event(1)])  # returns: bounded, logged
    forwarder = SessionEventForwarder(hub, SESSION)
    forwarder.submit([_event(2), _event(3)])
    await forwarder.aclose()  # each stalled publish is given up, and counted
    await hub.aclose()
    assert forwarder.dropped == 2
    assert len(transport.sends()) == 3


async def test_the_forwarder_publishes_in_the_background_in_seq_order() -> None:
    transport = CapturingTransport()
    hub, _ = _hub(transport)
    forwarder = SessionEventForwarder(hub, SESSION)
    forwarder.submit([_event(1), _event(2)])
    forwarder.submit([_event(3)])
    assert transport.sends() == []  # submit never waits for the service
    await forwarder.aclose()
    await hub.aclose()
    assert [json.loads(s.body)["seq"] for s in transport.sends()] == [1, 2, 3]
    forwarder.submit([_event(4)])  # after close: ignored
    await asyncio.sleep(0)
    assert len(transport.sends()) == 3


async def test_the_forwarder_drops_and_counts_instead_of_blocking() -> None:
    transport = CapturingTransport(fail_with=403)  # refused, not retried by the SDK
    hub, _ = _hub(transport, max_pending=2)
    forwarder = SessionEventForwarder(hub, SESSION)
    forwarder.submit([_event(1), _event(2), _event(3)])  # the third does not fit
    await forwarder.aclose()
    await hub.aclose()
    # One dropped at submit (queue full); the two sent were refused, and counted too.
    assert forwarder.dropped == 3
    assert len(transport.sends()) == 2


async def test_status_updates_publish_like_any_event() -> None:
    transport = CapturingTransport()
    hub, _ = _hub(transport)
    ended = Event.from_new(
        NewEvent(data=StatusUpdate(status=SessionStatus.ENDED, detail="")),
        seq=9,
        session_id=SESSION,
    )
    await hub.publish(SESSION, [ended])
    await hub.aclose()
    body = json.loads(transport.sends()[0].body)
    assert body["type"] == "status_update" and body["data"] == {"status": "ended", "detail": ""}
