"""Event order of a real call: ``connected`` is in the log before anything the call says.

Real host (uvicorn, port 0), the real RealtimeBridge and IntakeAgent, the offline local engine
(eSpeak NG voice; no speech recognition needed for the greeting) and a loopback aiortc browser
whose network is slow: it applies the host's answer a second late, so ICE connects well after
the model session is up and the greeting could already be spoken.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from aiortc import RTCSessionDescription

from media_host.local_realtime.server import LocalRealtimeServer
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.realtime.settings import RealtimeSettings
from media_host.runner import running_media_host
from shared.events import Event, SessionStatus, StatusUpdate, TranscriptChunk
from shared.mediahost_api import offer_path, session_path
from shared.storage import EventLog, TableStore
from tests.media_host.support import AUTH, create_session, host_settings, offer_body, session_store
from tests.media_host.test_call import Browser

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

SLOW_NETWORK_S = 1.0


async def test_connected_comes_before_anything_the_call_says(azurite, table_prefix) -> None:
    settings = host_settings(azurite.connection_string, table_prefix)
    async with LocalRealtimeServer(LocalRealtimeSettings(mode="speech")) as engine:
        realtime = RealtimeSettings(mode="local", websocket_base_url=engine.url)
        settings = settings.model_copy(update={"realtime": realtime})
        store = TableStore.from_settings(settings.storage)
        async with (
            running_media_host(settings) as host,
            session_store(settings) as sessions,
            httpx.AsyncClient(base_url=host.url, headers=AUTH, timeout=30) as http,
        ):
            await store.open()
            log = EventLog(store)
            session_id = await create_session(sessions)
            browser = Browser()
            try:
                await browser.pc.setLocalDescription(await browser.pc.createOffer())
                sdp = browser.pc.localDescription.sdp
                response = await http.post(offer_path(session_id), json=offer_body(sdp))
                assert response.status_code == 200, response.text
                await asyncio.sleep(SLOW_NETWORK_S)  # the model is connected by now
                await browser.pc.setRemoteDescription(RTCSessionDescription(**response.json()))

                events = await asyncio.wait_for(first_words(log, session_id), 60)
            finally:
                await browser.close()
                await http.delete(session_path(session_id))
                await store.close()
    kinds = [
        e.data.status.value if isinstance(e.data, StatusUpdate) else e.type.value for e in events
    ]
    connected = kinds.index(SessionStatus.CONNECTED.value)
    assert kinds.index(SessionStatus.AGENT_SPEAKING.value) > connected, kinds
    said = [i for i, e in enumerate(events) if isinstance(e.data, TranscriptChunk)]
    assert all(i > connected for i in said), kinds
    assert kinds[:2] == [SessionStatus.CONNECTING.value, SessionStatus.CONNECTED.value], kinds


async def first_words(log: EventLog, session_id: str) -> list[Event]:
    """The session's events once it is connected and the agent started speaking."""
    wanted = {SessionStatus.CONNECTED, SessionStatus.AGENT_SPEAKING}
    while True:
        events = await log.read(session_id)
        if wanted <= {e.data.status for e in events if isinstance(e.data, StatusUpdate)}:
            return events
        await asyncio.sleep(0.1)
