"""Call lifecycle over real loopback aiortc peers and a real host (bridge replaced by a double).

The realtime bridge itself is exercised end to end in test_e2e.py; here a scripted bridge lets
the tests drive the call's own rules: audio in both directions, typed text and its limits on
the data channel, status projection, media loss, ICE timeout, completion, failure and expiry.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import numpy as np
import pytest
from aiortc import RTCPeerConnection, RTCSessionDescription
from av import AudioFrame

from media_host.runner import running_media_host
from media_host.webrtc.inbound import first_channel
from media_host.webrtc.outbound import PacedAudioTrack
from shared.events import ErrorEvent, NewEvent, SessionStatus, StatusUpdate, SymptomComplete
from shared.mediahost_api import offer_path, session_path
from shared.storage import EventLog, TableStore
from tests.media_host.support import (
    AUTH,
    ScriptedBridge,
    client_peer,
    create_session,
    host_settings,
    offer_body,
    session_store,
)


class Browser:
    """A loopback browser peer: mic track, data channel, received-audio RMS."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection()
        self.mic = PacedAudioTrack()
        self.pc.addTransceiver(self.mic, direction="sendrecv")
        self.channel = self.pc.createDataChannel("events")
        self.opened = asyncio.Event()
        self.channel.on("open", self.opened.set)
        self.messages: list[dict[str, Any]] = []
        self.channel.on("message", lambda m: self.messages.append(json.loads(m)))
        self.rms: list[float] = []
        self._tasks: list[asyncio.Task[None]] = []
        self.pc.on("track", lambda t: self._tasks.append(asyncio.create_task(self._record(t))))

    async def _record(self, track: Any) -> None:
        with contextlib.suppress(Exception):
            while True:
                frame = await track.recv()
                if isinstance(frame, AudioFrame):
                    samples = first_channel(frame).astype(np.float64)
                    self.rms.append(float(np.sqrt(np.mean(samples**2))))

    async def call(self, http: httpx.AsyncClient, session_id: str, *, answer: bool = True) -> None:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        response = await http.post(
            offer_path(session_id), json=offer_body(self.pc.localDescription.sdp)
        )
        assert response.status_code == 200, response.text
        if answer:
            await self.pc.setRemoteDescription(RTCSessionDescription(**response.json()))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        self.mic.stop()
        await self.pc.close()


@contextlib.asynccontextmanager
async def stack(azurite: Any, table_prefix: str, **overrides: Any) -> AsyncIterator[Any]:
    ScriptedBridge.instances.clear()
    settings = host_settings(azurite.connection_string, table_prefix, **overrides)
    async with (
        running_media_host(settings, bridge_factory=ScriptedBridge) as host,
        session_store(settings) as sessions,
        httpx.AsyncClient(base_url=host.url, headers=AUTH, timeout=30) as http,
    ):
        store = TableStore.from_settings(settings.storage)
        await store.open()
        try:
            yield host, sessions, http, EventLog(store)
        finally:
            await store.close()


async def wait_until(predicate: Any, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.05)


async def wait_status(sessions: Any, session_id: str, status: SessionStatus, within: float = 10):
    deadline = time.monotonic() + within
    while True:
        record = await sessions.get(session_id)
        if record.status is status:
            return record
        if time.monotonic() > deadline:
            raise AssertionError(f"status {record.status} != {status}")
        await asyncio.sleep(0.1)


def tone(ms: int) -> bytes:
    t = np.arange(24 * ms) / 24_000
    return (np.sin(2 * np.pi * 300 * t) * 6000).astype("<i2").tobytes()


async def test_audio_both_ways_typed_text_and_status_projection(azurite, table_prefix) -> None:
    async with stack(azurite, table_prefix) as (_host, sessions, http, log):
        session_id = await create_session(sessions)
        browser = Browser()
        try:
            await browser.call(http, session_id)
            await wait_status(sessions, session_id, SessionStatus.CONNECTED)
            (bridge,) = ScriptedBridge.instances
            # The bridge's greeting tone reaches the browser; the browser's audio reaches the
            # bridge as 24 kHz mono pcm16 at real-time rate.
            browser.mic.push("mic", tone(1000))
            await wait_until(lambda: sum(r > 1000 for r in browser.rms) >= 25)
            before, started = bridge.audio_bytes, time.monotonic()
            await asyncio.sleep(1.0)
            rate = (bridge.audio_bytes - before) / (time.monotonic() - started)
            assert 40_000 <= rate <= 56_000  # 48 000 bytes/s = 24 kHz x 2 bytes

            # Typed text goes to the bridge; oversized or malformed messages are refused.
            await asyncio.wait_for(browser.opened.wait(), 10)
            browser.channel.send(json.dumps({"type": "text", "text": "I feel faint"}))
            browser.channel.send(json.dumps({"type": "text", "text": "x" * 5000}))
            browser.channel.send("nonsense")
            await wait_until(lambda: bridge.texts == ["I feel faint"])
            await wait_until(lambda: sum(m.get("type") == "error" for m in browser.messages) >= 4)
            codes = [
                m["code"] for m in browser.messages if m.get("type") == "error" and "seq" not in m
            ]
            assert codes == ["message_too_large", "invalid_message"]
            # ... and recorded as error events, mirrored to the browser with their seq.
            mirrored = [m for m in browser.messages if "seq" in m]
            assert [m["data"]["code"] for m in mirrored if m["type"] == "error"] == codes
            assert any(m["type"] == "status_update" for m in mirrored)
            seqs = [m["seq"] for m in mirrored]
            assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        finally:
            await browser.close()
            await http.delete(session_path(session_id))
        events = await log.read(session_id)
        statuses = [e.data.status for e in events if isinstance(e.data, StatusUpdate)]
        assert statuses[:2] == [SessionStatus.CONNECTING, SessionStatus.CONNECTED]
        assert statuses[-1] is SessionStatus.ENDED
        errors = [e.data for e in events if isinstance(e.data, ErrorEvent)]
        assert [e.code for e in errors] == ["message_too_large", "invalid_message"]
        assert all("x" * 20 not in e.message for e in errors)
        assert bridge.closed


async def test_lost_media_fails_the_session_after_the_grace_period(azurite, table_prefix) -> None:
    async with stack(azurite, table_prefix, ice_disconnect_grace_s=1.0) as (_, sessions, http, _l):
        session_id = await create_session(sessions)
        browser = Browser()
        try:
            await browser.call(http, session_id)
            await wait_status(sessions, session_id, SessionStatus.CONNECTED)
            browser.mic.stop()  # the browser's audio stops arriving, like a dead network
            record = await wait_status(sessions, session_id, SessionStatus.FAILED, within=10)
            assert "no audio from the browser" in record.status_detail
        finally:
            await browser.close()


async def test_ice_that_never_connects_fails_the_session(azurite, table_prefix) -> None:
    async with stack(azurite, table_prefix, ice_connect_timeout_s=1.0) as (host, sessions, http, _):
        session_id = await create_session(sessions)
        browser = Browser()
        try:
            await browser.call(http, session_id, answer=False)  # the browser never answers back
            record = await wait_status(sessions, session_id, SessionStatus.FAILED, within=10)
            assert "not established" in record.status_detail
            # The status is announced before the call has released its media: wait for that.
            await wait_until(lambda: host.runtime.manager.active_sessions == 0)
        finally:
            await browser.close()


@pytest.mark.parametrize(
    ("summary", "status"),
    [({"chief_complaint": "headache"}, SessionStatus.COMPLETED), (None, SessionStatus.FAILED)],
)
async def test_bridge_finishing_ends_the_call(azurite, table_prefix, summary, status) -> None:
    async with stack(azurite, table_prefix) as (host, sessions, http, _log):
        session_id = await create_session(sessions)
        browser = Browser()
        try:
            await browser.call(http, session_id)
            await wait_status(sessions, session_id, SessionStatus.CONNECTED)
            await ScriptedBridge.instances[0].complete(summary)
            record = await wait_status(sessions, session_id, status, within=15)
            assert record.summary == summary
            await wait_until(lambda: host.runtime.manager.active_sessions == 0)
            # A finished call's session cannot be offered again on this host.
            response = await http.post(offer_path(session_id), json=offer_body("v=0"))
            assert response.json()["code"] == "session_ended"
        finally:
            await browser.close()


async def test_session_ttl_expires_the_call(azurite, table_prefix) -> None:
    async with stack(azurite, table_prefix) as (_host, sessions, http, _log):
        session_id = await create_session(sessions, ttl_s=2)
        browser = Browser()
        try:
            await browser.call(http, session_id)
            await wait_status(sessions, session_id, SessionStatus.EXPIRED, within=10)
        finally:
            await browser.close()


async def test_shutdown_drains_refuses_offers_and_hands_running_calls_over(
    azurite, table_prefix
) -> None:
    """A stopping host refuses new offers; a call still running at the drain bound is handed
    over, not failed: the session goes ``reconnecting`` (row and event log), the browser reads
    it on the data channel before the channel closes, and the host drops its index row."""
    browser = Browser()
    channel_closed = asyncio.Event()
    browser.channel.on("close", channel_closed.set)
    try:
        async with stack(azurite, table_prefix) as (host, sessions, http, _log):
            session_id = await create_session(sessions)
            other = await create_session(sessions)
            # Placed here as the control plane would (which also indexes it under the host).
            await sessions.assign_host(session_id, host_id=host.settings.host_id, host_url=host.url)
            assert session_id in await sessions.sessions_on_host(host.settings.host_id)
            await browser.call(http, session_id)
            await wait_status(sessions, session_id, SessionStatus.CONNECTED)
            await asyncio.wait_for(browser.opened.wait(), 10)
            host.runtime.manager.draining = True
            response = await http.post(offer_path(other), json=offer_body("v=0"))
            assert response.status_code == 503 and response.json()["code"] == "host_draining"
        # The host stopped (drain timeout 0): the running call was handed over.
        async with session_store(host.settings) as fresh:
            record = await fresh.get(session_id)
            assert record.status is SessionStatus.RECONNECTING
            assert "send a new offer" in record.status_detail
            assert session_id not in await fresh.sessions_on_host(host.settings.host_id)
        await asyncio.wait_for(channel_closed.wait(), 15)
        updates = [m["data"] for m in browser.messages if m["type"] == "status_update"]
        assert updates[-1]["status"] == SessionStatus.RECONNECTING.value
        assert browser.messages[-1]["type"] == "status_update"  # nothing after the handover
        async with TableStore.from_settings(host.settings.storage) as store:
            logged = [
                e.data.status
                for e in await EventLog(store).read(session_id)
                if isinstance(e.data, StatusUpdate)
            ]
        assert logged[-1] is SessionStatus.RECONNECTING
        assert SessionStatus.FAILED not in logged
    finally:
        await browser.close()


async def test_an_offer_being_answered_when_the_host_stops_is_handed_over_too(
    azurite, table_prefix
) -> None:
    """An offer that passed the draining check just before the drain is still being answered
    (storage read, SDP answer) when the handover starts: it is waited for and handed over, not
    left running in a process about to exit."""
    async with stack(azurite, table_prefix) as (host, sessions, http, _log):
        manager = host.runtime.manager
        session_id = await create_session(sessions)
        async with client_peer() as (_pc, sdp):
            offer = asyncio.create_task(http.post(offer_path(session_id), json=offer_body(sdp)))
            while manager.active_sessions == 0:  # reserved: the answer is being made
                await asyncio.sleep(0)
            assert manager.call(session_id) is None
            assert await manager.hand_over() == 1
            assert (await offer).status_code == 200
        record = await sessions.get(session_id)
        assert record.status is SessionStatus.RECONNECTING


async def test_a_call_whose_intake_completed_is_not_handed_over(azurite, table_prefix) -> None:
    """The summary was emitted (the goodbye may still be playing) when the host stops: the
    session ends ``completed`` — there is nothing left to resume elsewhere."""
    browser = Browser()
    try:
        async with stack(azurite, table_prefix) as (host, sessions, http, _log):
            session_id = await create_session(sessions)
            await browser.call(http, session_id)
            await wait_status(sessions, session_id, SessionStatus.CONNECTED)
            (bridge,) = ScriptedBridge.instances
            await bridge.events.emit(NewEvent(data=SymptomComplete(summary={"chief": "x"})))
            assert await host.runtime.manager.hand_over() == 0
        async with session_store(host.settings) as fresh:
            assert (await fresh.get(session_id)).status is SessionStatus.COMPLETED
    finally:
        await browser.close()


async def _end_by_delete(http: httpx.AsyncClient, session_id: str, _sessions: Any) -> None:
    await http.delete(session_path(session_id))


async def _end_by_completion(http: httpx.AsyncClient, session_id: str, _sessions: Any) -> None:
    await ScriptedBridge.instances[0].complete({"chief_complaint": "headache"})


@pytest.mark.parametrize(
    ("end", "status"),
    [(_end_by_delete, SessionStatus.ENDED), (_end_by_completion, SessionStatus.COMPLETED)],
)
async def test_a_server_side_end_reaches_the_data_channel_and_closes_the_call(
    azurite, table_prefix, end, status
) -> None:
    """The browser learns the end on the data channel (the terminal status_update is the last
    message), then the host closes the channel and the peer connection itself."""
    async with stack(azurite, table_prefix) as (host, sessions, http, _log):
        session_id = await create_session(sessions)
        browser = Browser()
        channel_closed = asyncio.Event()
        browser.channel.on("close", channel_closed.set)
        try:
            await browser.call(http, session_id)
            await wait_status(sessions, session_id, SessionStatus.CONNECTED)
            await asyncio.wait_for(browser.opened.wait(), 10)
            await end(http, session_id, sessions)
            await asyncio.wait_for(channel_closed.wait(), 15)
            await wait_until(lambda: host.runtime.manager.active_sessions == 0)
            statuses = [
                m["data"]["status"] for m in browser.messages if m["type"] == "status_update"
            ]
            assert statuses[-1] == status.value
            assert browser.messages[-1]["type"] == "status_update"  # nothing after the end
            await wait_until(lambda: browser.pc.connectionState == "closed", within=15)
        finally:
            await browser.close()
