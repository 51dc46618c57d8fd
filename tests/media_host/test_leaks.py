"""Hang-up frees everything: 100 calls over loopback aiortc peers, then no task, peer, track,
bridge or call object survives.

The media path is real: aiortc on both sides, the real RealtimeBridge and IntakeAgent, the
local realtime engine in echo mode (no speech CPU), events written to Azurite.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections import Counter
from typing import Any

import httpx
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack

from media_host.call import IntakeCall
from media_host.local_realtime.server import LocalRealtimeServer
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.realtime.settings import RealtimeSettings
from media_host.runner import running_media_host
from media_host.server import default_bridge_factory
from media_host.webrtc.outbound import PacedAudioTrack
from shared.mediahost_api import HEALTH_PATH, offer_path, session_path
from tests.media_host.support import AUTH, create_session, host_settings, offer_body, session_store

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

SESSIONS = 100
CONCURRENCY = 10
WATCHED = (
    "aiortc.rtcpeerconnection.RTCPeerConnection",
    "aiortc.rtcdtlstransport.RTCDtlsTransport",
    "aiortc.rtcsctptransport.RTCSctpTransport",
    "aiortc.rtcicetransport.RTCIceTransport",
    "aiortc.rtcdatachannel.RTCDataChannel",
    "aiortc.rtcrtpreceiver.RemoteStreamTrack",
    "aioice.ice.Connection",
    "media_host.webrtc.outbound.PacedAudioTrack",
    "media_host.webrtc.inbound.InboundAudioPump",
    "media_host.call.IntakeCall",
    "media_host.call_events.CallEventSink",
    "media_host.realtime.bridge.RealtimeBridge",
    "shared.storage.event_writer.EventLogWriter",
)


def census() -> Counter[str]:
    gc.collect()
    names = (f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
    return Counter(name for name in names if name in WATCHED)


async def one_call(
    http: httpx.AsyncClient,
    sessions: Any,
    host: Any,
    tracked: weakref.WeakSet,
    *,
    check_census: bool = False,
) -> None:
    session_id = await create_session(sessions)
    pc = RTCPeerConnection()
    mic = AudioStreamTrack()
    connected = asyncio.Event()
    pc.on("connectionstatechange", lambda: pc.connectionState == "connected" and connected.set())
    pc.addTransceiver(mic, direction="sendrecv")
    channel = pc.createDataChannel("events")
    opened = asyncio.Event()
    channel.on("open", opened.set)
    try:
        await pc.setLocalDescription(await pc.createOffer())
        response = await http.post(offer_path(session_id), json=offer_body(pc.localDescription.sdp))
        assert response.status_code == 200, response.text
        await pc.setRemoteDescription(RTCSessionDescription(**response.json()))
        call = host.runtime.manager.call(session_id)
        assert isinstance(call, IntakeCall)
        tracked.add(call)
        await asyncio.wait_for(connected.wait(), 15)
        await asyncio.wait_for(opened.wait(), 15)
        channel.send('{"type": "text", "text": "hello"}')
        await asyncio.sleep(0.3)  # media flows both ways for a moment
        if check_census:  # the census really sees live calls (so its zero later means something)
            live = census()
            assert all(live[name] >= 1 for name in WATCHED), live
        assert (await http.delete(session_path(session_id))).status_code == 204
        del call
    finally:
        mic.stop()
        await pc.close()


async def test_hundred_calls_leave_nothing_behind(azurite, table_prefix) -> None:
    engine = LocalRealtimeServer(LocalRealtimeSettings(mode="echo"))
    await engine.start()
    tracked: weakref.WeakSet[Any] = weakref.WeakSet()
    try:
        realtime = RealtimeSettings(mode="local", websocket_base_url=engine.url)
        settings = host_settings(
            azurite.connection_string, table_prefix, capacity=CONCURRENCY, realtime=realtime
        )
        real_factory = default_bridge_factory(settings)

        def recording_factory(**kwargs: Any) -> Any:
            bridge = real_factory(**kwargs)
            tracked.add(bridge)
            tracked.add(kwargs["playback"])
            return bridge

        async with (
            running_media_host(settings, bridge_factory=recording_factory) as host,
            session_store(settings) as sessions,
            httpx.AsyncClient(base_url=host.url, headers=AUTH, timeout=30) as http,
        ):
            # Warm-up (lazy imports, caches), and proof that the census sees a live call.
            await one_call(http, sessions, host, tracked, check_census=True)
            await asyncio.wait_for(host.runtime.manager.idle.wait(), 10)
            await asyncio.sleep(0.5)
            baseline_tasks = set(asyncio.all_tasks())
            baseline = census()

            for _ in range(SESSIONS // CONCURRENCY):
                await asyncio.gather(
                    *(one_call(http, sessions, host, tracked) for _ in range(CONCURRENCY))
                )
            await asyncio.wait_for(host.runtime.manager.idle.wait(), 10)
            health = (await http.get(HEALTH_PATH)).json()
            assert health["active_sessions"] == 0

            for _ in range(50):  # aiortc/aioice finish their closing tasks asynchronously
                leftover = set(asyncio.all_tasks()) - baseline_tasks - {asyncio.current_task()}
                if not leftover:
                    break
                await asyncio.sleep(0.1)
            assert not leftover, sorted(t.get_name() + " " + repr(t.get_coro()) for t in leftover)
            after = census()
            grown = {
                name: after[name] - baseline[name]
                for name in WATCHED
                if after[name] > baseline[name]
            }
            assert not grown, grown
            gc.collect()
            assert len(tracked) == 0, [type(o).__name__ for o in tracked]
            assert not any(isinstance(o, PacedAudioTrack) for o in tracked)
    finally:
        await engine.stop()
