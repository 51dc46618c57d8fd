"""Media-host test helpers: settings, sessions in real Azurite, offers from real aiortc peers."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from aiortc import RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack
from pydantic import SecretStr

from media_host.settings import MediaHostSettings
from shared.config import MediaHostLinkSettings, StorageSettings
from shared.events import SessionStatus
from shared.mediahost_api import KEY_HEADER
from shared.storage import SessionStore, TableStore
from shared.tokens import hash_token, new_session_token

HOST_KEY = "media-host-test-key-0123456789abcdef"
AUTH = {KEY_HEADER: HOST_KEY}


def host_settings(connection_string: str, table_prefix: str, **overrides: Any) -> MediaHostSettings:
    values: dict[str, Any] = {
        "host_id": f"test-host-{uuid.uuid4().hex[:6]}",
        "bind_port": 0,
        "heartbeat_interval_s": 0.5,
        "drain_timeout_s": 0.0,
        "storage": StorageSettings(
            connection_string=SecretStr(connection_string), table_prefix=table_prefix
        ),
        "link": MediaHostLinkSettings(key=SecretStr(HOST_KEY)),
    }
    values.update(overrides)
    return MediaHostSettings.model_validate(values)


@contextlib.asynccontextmanager
async def session_store(settings: MediaHostSettings) -> AsyncIterator[SessionStore]:
    store = TableStore.from_settings(settings.storage)
    await store.open()
    try:
        yield SessionStore(store)
    finally:
        await store.close()


async def create_session(
    sessions: SessionStore, *, status: SessionStatus | None = None, ttl_s: float = 600
) -> str:
    session_id = uuid.uuid4().hex
    await sessions.create(
        session_id=session_id,
        language="en",
        token_hash=hash_token(new_session_token()),
        expires_at=datetime.now(UTC) + timedelta(seconds=ttl_s),
    )
    if status is not None:
        await sessions.transition(session_id, status, detail="test")
    return session_id


def offer_body(sdp: str, *, ttl_s: float = 600) -> dict[str, Any]:
    expires = datetime.now(UTC) + timedelta(seconds=ttl_s)
    return {"type": "offer", "sdp": sdp, "language": "en", "expires_at": expires.isoformat()}


@contextlib.asynccontextmanager
async def client_peer() -> AsyncIterator[tuple[RTCPeerConnection, str]]:
    """A browser-like aiortc peer (audio sendrecv + a data channel) and its offer SDP."""
    pc = RTCPeerConnection()
    track = AudioStreamTrack()
    pc.addTransceiver(track, direction="sendrecv")
    pc.createDataChannel("events")
    await pc.setLocalDescription(await pc.createOffer())
    try:
        yield pc, pc.localDescription.sdp
    finally:
        track.stop()
        await pc.close()


class SilentBridge:
    """A bridge that does nothing: for signalling-contract tests where the model is irrelevant.
    (Media-path tests use the real RealtimeBridge against the local engine.)"""

    def __init__(self, **_: Any) -> None:
        self.finished = asyncio.Event()
        self.audio_bytes = 0
        self.texts: list[str] = []
        self.closed = False

    async def start(self, *, speak_when: asyncio.Event | None = None) -> None:
        return None

    async def send_audio(self, pcm16_24k: bytes) -> None:
        self.audio_bytes += len(pcm16_24k)

    async def send_text(self, text: str) -> None:
        self.texts.append(text)

    async def aclose(self) -> None:
        self.closed = True


@contextlib.asynccontextmanager
async def serve_app(app: Any) -> AsyncIterator[str]:
    """Run an ASGI app under uvicorn on a free loopback port; yield its base URL."""
    import uvicorn

    from media_host.runner import bind_socket

    sock = bind_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)
        sock.close()


class ScriptedBridge(SilentBridge):
    """A bridge double for call-lifecycle tests: records what the call hands it, plays a tone
    when started, and lets the test finish the interview (with or without a summary)."""

    instances: ClassVar[list[ScriptedBridge]] = []

    def __init__(self, *, playback: Any, events: Any, **_: Any) -> None:
        super().__init__()
        self.playback = playback
        self.events = events
        ScriptedBridge.instances.append(self)

    async def start(self, *, speak_when: asyncio.Event | None = None) -> None:
        import numpy as np

        if speak_when is not None:
            await speak_when.wait()
        t = np.arange(24_000) / 24_000  # one second of 440 Hz
        self.playback.push("greeting", (np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2").tobytes())

    async def complete(self, summary: dict[str, Any] | None) -> None:
        from shared.events import NewEvent, SymptomComplete

        if summary is not None:
            await self.events.emit(NewEvent(data=SymptomComplete(summary=summary)))
        self.finished.set()
