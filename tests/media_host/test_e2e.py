"""End to end, no mocks in the media path.

Azurite + the real control-plane app (uvicorn, port 0) + this media host (uvicorn, port 0,
the real RealtimeBridge and IntakeAgent) + the local realtime engine in speech mode (webrtcvad,
Whisper tiny.en, eSpeak NG). An aiortc client peer (devtools.voice_client) plays a patient
sentence synthesised with eSpeak NG; through the public event API the test sees the patient's
transcript and the agent's reply, receives non-silent reply audio, then talks over the agent and
sees playback stop, a barge_in event, and the truncate the bridge sent to the engine.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from azure.data.tables.aio import TableClient
from pydantic import SecretStr

from control_plane.app import create_app as create_control_plane
from control_plane.settings import ControlPlaneSettings
from devtools.voice_client import VoiceClient, is_status
from media_host.intake_agent.checkpoint.rows import escape_key
from media_host.local_realtime.server import LocalRealtimeServer
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.realtime.settings import RealtimeSettings
from media_host.runner import running_media_host
from shared.config import MediaHostLinkSettings
from shared.events import BargeIn, SessionStatus, StatusUpdate, TranscriptChunk
from tests.fixtures.speech import silence_pcm16, synthesize_pcm16_24k
from tests.media_host.support import HOST_KEY, host_settings, serve_app

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

LOUD = 300.0  # RMS (int16) above which a received 20 ms frame counts as speech


def final_transcript(role: str, *, after_seq: int = 0):
    def match(event) -> bool:
        data = event.data
        return (
            isinstance(data, TranscriptChunk)
            and data.final
            and data.role == role
            and event.seq > after_seq
            and bool(data.text.strip())
        )

    return match


async def wait_loud_frames(client: VoiceClient, since: float, count: int, within: float) -> float:
    """Wait for `count` loud frames after `since`; return when the first of them arrived."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        loud = [t for t, rms in client.received.rms if t >= since and rms > LOUD]
        if len(loud) >= count:
            return loud[0]
        await asyncio.sleep(0.02)
    raise TimeoutError("no reply audio arrived")


async def test_voice_call_through_the_whole_stack(azurite, table_prefix) -> None:
    settings = host_settings(azurite.connection_string, table_prefix)
    control_settings = ControlPlaneSettings(
        storage=settings.storage, media_host=MediaHostLinkSettings(key=SecretStr(HOST_KEY))
    )
    engine = LocalRealtimeServer(LocalRealtimeSettings(mode="speech"))
    await engine.start()
    try:
        await engine.warm_up()
        realtime = RealtimeSettings(mode="local", websocket_base_url=engine.url)
        async with (
            running_media_host(settings.model_copy(update={"realtime": realtime})),
            serve_app(create_control_plane(control_settings)) as api,
        ):
            client = VoiceClient(api)
            try:
                await run_conversation(client, engine)
            finally:
                await client.hang_up()
                await client.close()
        # The interview state is durable: another host could resume this session.
        table = table_prefix + settings.agent.checkpoint_table
        async with TableClient.from_connection_string(azurite.connection_string, table) as rows:
            keys = {e["PartitionKey"] async for e in rows.list_entities(select=["PartitionKey"])}
        assert escape_key(client.session_id) in keys
    finally:
        await engine.stop()


async def run_conversation(client: VoiceClient, engine: LocalRealtimeServer) -> None:
    await client.start()
    await client.wait_for(is_status(SessionStatus.CONNECTED), 20)
    # The agent greets first; let the greeting play out.
    await client.wait_agent_quiet(0.8, within=40, threshold=LOUD)

    # 1. The patient speaks; the API shows both sides of the turn and the reply is audible.
    sentence = synthesize_pcm16_24k("I have had a bad headache since yesterday.")
    client.say(silence_pcm16(300) + sentence + silence_pcm16(1200))
    spoke_at = time.monotonic()
    patient = await client.wait_for(final_transcript("patient"), 40)
    assert "headache" in patient.data.text.lower()
    agent = await client.wait_for(final_transcript("agent", after_seq=patient.seq), 40)
    assert len(agent.data.text.split()) >= 3
    reply_started = await wait_loud_frames(client, spoke_at + len(sentence) / 48_000, 25, 30)

    # 2. The patient talks over the agent's reply: playback stops and the model is truncated.
    await asyncio.sleep(max(0.0, reply_started + 0.6 - time.monotonic()))
    assert client.received.loud_frames(since=time.monotonic() - 0.2, threshold=LOUD) > 0
    interruption = synthesize_pcm16_24k("Sorry, I also feel dizzy.")
    interrupted_at = time.monotonic()
    client.say(interruption + silence_pcm16(1200))
    barge = await client.wait_for(lambda e: isinstance(e.data, BargeIn), 20)
    assert barge.data.played_ms > 0

    truncates = [e for e in engine.received_events if e.get("type") == "conversation.item.truncate"]
    assert truncates, "the bridge sent no conversation.item.truncate"
    truncate = truncates[-1]
    assert truncate["item_id"] == barge.data.item_id
    assert truncate["audio_end_ms"] == barge.data.played_ms

    # Playback stopped soon after the patient started talking: a quiet stretch of >= 400 ms
    # begins within 2 s, although the reply had not been played to its end.
    await asyncio.sleep(max(0.0, interrupted_at + 2.5 - time.monotonic()))
    frames = [(t, rms) for t, rms in client.received.rms if t >= interrupted_at]
    quiet_run, quiet_start = 0, None
    for t, rms in frames:
        if rms <= LOUD:
            quiet_run += 1
            quiet_start = quiet_start or t
            if quiet_run >= 20:
                break
        else:
            quiet_run, quiet_start = 0, None
    timeline = " ".join(f"{t - interrupted_at:.2f}:{rms:.0f}" for t, rms in frames[:200:5])
    assert quiet_run >= 20 and quiet_start is not None, timeline
    assert quiet_start - interrupted_at < 2.0
    agent_items = [
        e for e in client.events if isinstance(e.data, TranscriptChunk) and e.data.role == "agent"
    ]
    cut_text = " ".join(
        e.data.text for e in agent_items if e.data.item_id == barge.data.item_id and e.data.final
    )
    # eSpeak speaks ~165 words/min: the cut item was longer than what was played of it.
    spoken_ms = len(cut_text.split()) * 60_000 / 165
    assert barge.data.played_ms < 0.8 * spoken_ms, (barge.data.played_ms, spoken_ms)
    statuses = [e.data.status for e in client.events if isinstance(e.data, StatusUpdate)]
    assert SessionStatus.AGENT_SPEAKING in statuses and SessionStatus.LISTENING in statuses
