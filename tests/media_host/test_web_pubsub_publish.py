"""The media host publishes what its calls log to the session's Web PubSub group (Azure).

A call's CallEventSink on real Azurite, with the Web PubSub SDK's HTTP requests captured
(tests/support/web_pubsub.py): every committed event reaches the group, in seq order, as the
same JSON the log serves — and the data-channel mirror still gets every batch.
"""

from __future__ import annotations

import json

from devtools.azurite import Azurite
from media_host.call_events import CallEventSink
from media_host.settings import MediaHostSettings
from shared.events import Event, NewEvent, SessionStatus, StatusUpdate, TranscriptChunk
from shared.storage import EventLog, EventLogWriter, SessionStore, TableStore
from shared.web_pubsub import SessionEventForwarder, WebPubSub, WebPubSubSettings
from tests.media_host.support import create_session, host_settings
from tests.support.web_pubsub import ENDPOINT, CapturingTransport, FixedCredential


def test_the_host_reads_the_web_pubsub_settings_from_the_deployment_variables() -> None:
    env = {
        "TRIAGE_STORAGE_CONNECTION_STRING": "UseDevelopmentStorage=true",
        "TRIAGE_MEDIA_HOST_KEY": "k" * 32,
        "TRIAGE_WEB_PUBSUB_ENDPOINT": ENDPOINT,
        "TRIAGE_WEB_PUBSUB_HUB": "intake",
    }
    settings = MediaHostSettings.from_env(env)
    assert settings.web_pubsub == WebPubSubSettings(endpoint=ENDPOINT, hub="intake")
    del env["TRIAGE_WEB_PUBSUB_ENDPOINT"]
    assert MediaHostSettings.from_env(env).web_pubsub is None


async def test_every_committed_event_is_published_and_mirrored(
    azurite: Azurite, table_prefix: str
) -> None:
    settings = host_settings(azurite.connection_string, table_prefix)
    transport = CapturingTransport()
    hub = WebPubSub(
        WebPubSubSettings(endpoint=ENDPOINT), credential=FixedCredential(), transport=transport
    )
    mirrored: list[Event] = []
    async with TableStore.from_settings(settings.storage) as store:
        sessions = SessionStore(store)
        sid = await create_session(sessions)  # no event yet: the control plane logs `created`
        log = EventLog(store)
        sink = CallEventSink(
            sid,
            EventLogWriter(log, sid),
            sessions,
            forwarder=SessionEventForwarder(hub, sid),
        )
        sink.mirror_to(mirrored.extend)
        for n in range(3):
            chunk = TranscriptChunk(role="agent", item_id="it_1", text=f"part {n}", final=n == 2)
            await sink.emit(NewEvent(data=chunk))
        await sink.emit(NewEvent(data=StatusUpdate(status=SessionStatus.ENDED, detail="")))
        await sink.aclose()  # flushes the writer, then drains the forwarder
        logged = await log.read(sid, after=0)
    await hub.aclose()

    published = [json.loads(s.body) for s in transport.sends()]
    assert {s.path for s in transport.sends()} == {f"/api/hubs/intake/groups/session-{sid}/:send"}
    assert published == [event.wire() for event in logged]
    assert [e["seq"] for e in published] == [1, 2, 3, 4]
    assert [e.seq for e in mirrored] == [1, 2, 3, 4]  # the data channel is unaffected
