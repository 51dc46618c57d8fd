"""A scriptable WebRTC "browser" for the intake API: the e2e test, the bench and the local demo.

It does what the web client does, through the public control-plane API only:

1. ``POST /api/intake/sessions`` → session id, bearer token, ICE servers;
2. an aiortc peer with a sendrecv audio transceiver (the "microphone" is a paced track fed
   with PCM/WAV audio; silence otherwise, as a real microphone streams continuously) and a data
   channel; the offer goes to ``/offer`` *without* its candidates, which are then trickled
   through ``/candidates`` (so that path is exercised too);
3. the received audio is measured (RMS per 20 ms frame) and optionally kept;
4. events are collected through the long-poll API (``/events?after=&wait=``) and the data channel;
5. typed text can be sent over the data channel; ``DELETE`` hangs up;
6. :meth:`VoiceClient.reconnect` calls again on the same session (fresh peer, fresh offer) after
   the session's media host was lost.

CLI: ``python -m devtools.voice_client --api http://127.0.0.1:7071 --wav patient.wav``
prints the conversation's final transcripts and the intake summary (it is a developer tool: it
prints what the patient said, which production code never logs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import soxr
from aiortc import (
    RTCConfiguration,
    RTCDataChannel,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame

from media_host.audio_io import SAMPLE_RATE_MODEL
from media_host.webrtc.inbound import first_channel
from media_host.webrtc.outbound import PacedAudioTrack
from shared.events import (
    Event,
    SessionStatus,
    StatusUpdate,
    SymptomComplete,
    TranscriptChunk,
)

_CANDIDATE_LINE = re.compile(r"^a=(candidate:.*|end-of-candidates)$")


def load_wav_pcm16_24k(path: str | Path) -> bytes:
    """Read a PCM WAV file (any rate, mono or stereo) as 24 kHz mono s16le."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise ValueError("only 16-bit PCM WAV files are supported")
        rate, channels = wav.getframerate(), wav.getnchannels()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    mono = samples.reshape(-1, channels)[:, 0]
    if rate != SAMPLE_RATE_MODEL:
        mono = soxr.resample(mono, rate, SAMPLE_RATE_MODEL)
    return np.ascontiguousarray(mono, dtype="<i2").tobytes()


@dataclass
class ReceivedAudio:
    """What came back on the client's audio track."""

    rms: list[tuple[float, float]] = field(default_factory=list)  # (monotonic time, RMS)
    pcm: bytearray = field(default_factory=bytearray)  # first channel, 48 kHz, when kept
    keep_pcm_bytes: int = 0

    def loud_frames(self, *, since: float = 0.0, threshold: float = 200.0) -> int:
        """Frames after `since` whose RMS exceeds `threshold` (int16 units)."""
        return sum(1 for t, value in self.rms if t >= since and value > threshold)

    def last_loud_at(self, threshold: float = 200.0) -> float | None:
        loud = [t for t, value in self.rms if value > threshold]
        return loud[-1] if loud else None


class VoiceClient:
    """One simulated patient call against the public API.

    Args:
        api_base: Control-plane base URL (``http://127.0.0.1:7071``).
        language: ``user_language`` of the session.
        trickle: Send candidates through ``/candidates`` instead of inside the offer.
        keep_audio_s: Seconds of received audio to keep as PCM (0 = only RMS).
        http: An httpx client to use (else one is created).
    """

    def __init__(
        self,
        api_base: str,
        *,
        language: str = "en",
        trickle: bool = True,
        keep_audio_s: float = 0.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self._api = api_base.rstrip("/")
        self._language = language
        self._trickle = trickle
        self._http = http or httpx.AsyncClient(timeout=30)
        self._owns_http = http is None
        self.mic = PacedAudioTrack(buffer_ms=300_000)
        self.received = ReceivedAudio(keep_pcm_bytes=int(keep_audio_s * 48_000 * 2))
        self.events: list[Event] = []
        self.channel_messages: list[dict[str, Any]] = []
        self.session_id = ""
        self._token = ""
        self._events_url = ""
        self._pc: RTCPeerConnection | None = None
        self._channel: RTCDataChannel | None = None
        self._channel_open = asyncio.Event()
        self._ice_servers: list[RTCIceServer] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._poller: asyncio.Task[None] | None = None
        self._new_event = asyncio.Event()
        self._mic_item = 0

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    async def start(self) -> None:
        """Create the session, negotiate the call and start collecting events and audio."""
        response = await self._http.post(
            f"{self._api}/api/intake/sessions", json={"user_language": self._language}
        )
        response.raise_for_status()
        created = response.json()
        self.session_id = created["session_id"]
        self._token = created["session_token"]
        self._events_url = self._api + created["events_url"]
        self._ice_servers = [
            RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
            for s in created["ice_servers"]
        ]
        await self._negotiate()
        self._poller = asyncio.create_task(self._poll_events(), name="client-events")
        self._tasks.append(self._poller)

    async def reconnect(self) -> None:
        """Call again on the same session from a fresh peer connection (what a browser does
        after a ``reconnecting`` status: the session's media host was lost). The control plane
        places the new offer on a live host, where the interview resumes."""
        old, self._pc = self._pc, None
        if old is not None:
            await old.close()
            old.remove_all_listeners()
        self.mic.stop()
        self.mic = PacedAudioTrack(buffer_ms=300_000)
        self._channel = None
        self._channel_open = asyncio.Event()
        await self._negotiate()

    async def _negotiate(self) -> None:
        self._pc = pc = RTCPeerConnection(RTCConfiguration(iceServers=self._ice_servers))
        pc.addTransceiver(self.mic, direction="sendrecv")
        self._channel = pc.createDataChannel("events")
        self._channel.on("open", self._channel_open.set)
        self._channel.on("message", self._channel_message)
        pc.on("track", self._remote_track)
        await pc.setLocalDescription(await pc.createOffer())
        sdp, candidates = split_candidates(pc.localDescription.sdp)
        if not self._trickle:
            sdp, candidates = pc.localDescription.sdp, []
        answer = await self._post("offer", {"type": "offer", "sdp": sdp})
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type="answer"))
        if self._trickle:
            candidates.append(
                {"candidate": "", "sdpMid": candidates[0]["sdpMid"] if candidates else "0"}
            )
            for start in range(0, len(candidates), 50):
                await self._post("candidates", {"candidates": candidates[start : start + 50]})

    # --- talking ------------------------------------------------------------------------------

    def say(self, pcm16_24k: bytes) -> None:
        """Play audio into the microphone (queued behind what is still playing)."""
        self._mic_item += 1
        self.mic.push(f"mic-{self._mic_item}", pcm16_24k)

    async def wait_said(self, within: float = 60.0) -> None:
        """Wait until the microphone queue played out."""
        deadline = time.monotonic() + within
        while self.mic.is_playing:
            if time.monotonic() > deadline:
                raise TimeoutError("microphone audio did not play out")
            await asyncio.sleep(0.02)

    async def send_text(self, text: str, within: float = 10.0) -> None:
        """Type a message as the patient (over the data channel)."""
        await asyncio.wait_for(self._channel_open.wait(), within)
        assert self._channel is not None
        self._channel.send(json.dumps({"type": "text", "text": text}))

    async def send_raw(self, message: str | bytes, within: float = 10.0) -> None:
        """Send an arbitrary data-channel message (for error-path tests)."""
        await asyncio.wait_for(self._channel_open.wait(), within)
        assert self._channel is not None
        self._channel.send(message)

    # --- observing ----------------------------------------------------------------------------

    async def wait_for(self, predicate: Callable[[Event], bool], within: float = 60.0) -> Event:
        """The first collected event matching `predicate`, waiting for it if needed.

        Raises:
            TimeoutError: nothing matched within `within` seconds, or at once when no event can
                arrive any more (the session is over); the message ends with the session's
                last events, so a failed wait says what the call was doing.
            RuntimeError: the event poller failed (its exception is the cause).
        """
        deadline = time.monotonic() + within
        seen = 0
        while True:
            for event in self.events[seen:]:
                if predicate(event):
                    return event
            seen = len(self.events)
            poller = self._poller
            if poller is not None and poller.done():
                failure = None if poller.cancelled() else poller.exception()
                if failure is not None:
                    raise RuntimeError(f"the event poller failed; {self.timeline()}") from failure
                raise TimeoutError(
                    f"no matching event arrived: the session is over; {self.timeline()}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching event arrived; {self.timeline()}")
            self._new_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_event.wait(), remaining)

    def timeline(self, last: int = 12) -> str:
        """The session's last events in one line (seq, type, status or role) — for failures."""
        parts: list[str] = []
        for event in self.events[-last:]:
            data = event.data
            if isinstance(data, StatusUpdate):
                detail = f" ({data.detail[:80]})" if data.detail else ""
                what = f"status {data.status.value}{detail}"
            elif isinstance(data, TranscriptChunk):
                what = f"{data.role} {'final' if data.final else 'delta'} {data.text[:40]!r}"
            else:
                what = type(data).__name__
            parts.append(f"#{event.seq} {what}")
        return "last events: " + ("; ".join(parts) or "none")

    def transcripts(self, role: str | None = None) -> list[tuple[str, str]]:
        """Final transcripts so far as ``(role, text)``, in log order."""
        out: list[tuple[str, str]] = []
        for event in self.events:
            data = event.data
            if isinstance(data, TranscriptChunk) and data.final and role in (None, data.role):
                out.append((data.role, data.text))
        return out

    async def wait_agent_quiet(
        self, quiet_s: float = 0.8, within: float = 60.0, threshold: float = 300.0
    ) -> None:
        """Wait until the agent has spoken and then been silent for `quiet_s` (turn taking)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            last = self.received.last_loud_at(threshold)
            if last is not None and time.monotonic() - last >= quiet_s:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("the agent did not finish speaking")

    @property
    def connection_state(self) -> str:
        return self._pc.connectionState if self._pc is not None else "closed"

    # --- ending -------------------------------------------------------------------------------

    async def hang_up(self) -> None:
        """``DELETE`` the session (idempotent on the server)."""
        if self.session_id:
            response = await self._http.delete(
                f"{self._api}/api/intake/sessions/{self.session_id}", headers=self.auth
            )
            response.raise_for_status()

    async def summary(self) -> dict[str, Any] | None:
        """The intake summary, or None while it is not ready."""
        response = await self._http.get(
            f"{self._api}/api/intake/sessions/{self.session_id}/summary", headers=self.auth
        )
        if response.status_code == 409:
            return None
        response.raise_for_status()
        body: dict[str, Any] = response.json()["summary"]
        return body

    async def close(self) -> None:
        """Stop everything this client started (it does not hang up: call :meth:`hang_up`)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self.mic.stop()
        if self._pc is not None:
            await self._pc.close()
            self._pc.remove_all_listeners()
            self._pc = None
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> VoiceClient:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- internals ----------------------------------------------------------------------------

    async def _post(self, what: str, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self._api}/api/intake/sessions/{self.session_id}/{what}"
        response = await self._http.post(url, json=body, headers=self.auth)
        if response.status_code >= 400:
            raise RuntimeError(f"{what} failed: HTTP {response.status_code} {response.text}")
        return response.json() if response.content else {}

    async def _poll_events(self) -> None:
        try:
            await self._poll_until_over()
        finally:
            self._new_event.set()  # wake the waiters: no event arrives after this

    async def _poll_until_over(self) -> None:
        after = 0
        while True:
            try:
                response = await self._http.get(
                    self._events_url,
                    params={"after": after, "wait": 5},
                    headers=self.auth,
                    timeout=15,
                )
            except httpx.HTTPError:
                await asyncio.sleep(0.2)
                continue
            if response.status_code != 200:
                await asyncio.sleep(0.2)
                continue
            page = response.json()
            for body in page["events"]:
                self.events.append(Event.from_wire(body))
            after = page["next_after"]
            if page["events"]:
                self._new_event.set()
            if SessionStatus(page["status"]).is_terminal and not page["events"]:
                return

    def _channel_message(self, message: str | bytes) -> None:
        if isinstance(message, str):
            with contextlib.suppress(ValueError):
                self.channel_messages.append(json.loads(message))

    def _remote_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self._tasks.append(asyncio.create_task(self._record(track), name="client-recorder"))

    async def _record(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
            while True:
                frame = await track.recv()
                if not isinstance(frame, AudioFrame):
                    continue
                samples = first_channel(frame)
                rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
                self.received.rms.append((time.monotonic(), rms))
                room = self.received.keep_pcm_bytes - len(self.received.pcm)
                if room > 0:
                    self.received.pcm += samples.tobytes()[:room]


def is_status(status: SessionStatus) -> Callable[[Event], bool]:
    """An event predicate: a ``status_update`` to `status`."""
    return lambda event: isinstance(event.data, StatusUpdate) and event.data.status is status


def split_candidates(sdp: str) -> tuple[str, list[dict[str, Any]]]:
    """Remove candidate lines from an SDP; return them as trickle candidates (browser JSON)."""
    lines = sdp.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    candidates: list[dict[str, Any]] = []
    mline, mid = -1, None
    for line in lines:
        if line.startswith("m="):
            mline, mid = mline + 1, None
        elif line.startswith("a=mid:"):
            mid = line[len("a=mid:") :]
        match = _CANDIDATE_LINE.match(line)
        if match:
            if match.group(1).startswith("candidate:"):
                candidates.append(
                    {"candidate": match.group(1), "sdpMid": mid, "sdpMLineIndex": mline}
                )
            continue
        kept.append(line)
    return "\r\n".join(kept), candidates


async def _run_cli(args: argparse.Namespace) -> None:
    pcm = load_wav_pcm16_24k(args.wav) if args.wav else b""
    async with VoiceClient(args.api, language=args.language) as client:
        await client.wait_for(is_status(SessionStatus.CONNECTED), 30)
        if pcm:
            await client.wait_agent_quiet(args.quiet_before, within=args.timeout)  # greeting
            client.say(pcm)
            await client.wait_said(args.timeout)
        if args.text:
            await client.send_text(args.text)
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            if any(isinstance(e.data, SymptomComplete) for e in client.events):
                break
            if len(client.transcripts("agent")) >= args.replies:
                break
            await asyncio.sleep(0.5)
        for role, text in client.transcripts():
            print(f"{role:>7}: {text}")
        summary = await client.summary()
        print("summary:", json.dumps(summary, indent=2) if summary else "(not ready)")
        loud, total = client.received.loud_frames(), len(client.received.rms)
        print(f"received audio: {loud} loud frames of {total}")
        await client.hang_up()


def main() -> None:
    """``python -m devtools.voice_client`` entry point."""
    parser = argparse.ArgumentParser(prog="python -m devtools.voice_client")
    parser.add_argument("--api", default="http://127.0.0.1:7071", help="control-plane base URL")
    parser.add_argument("--wav", help="16-bit PCM WAV file spoken as the patient")
    parser.add_argument("--text", help="typed patient message (data channel)")
    parser.add_argument("--language", default="en")
    parser.add_argument(
        "--quiet-before", type=float, default=0.8, help="agent silence (s) before speaking"
    )
    parser.add_argument("--replies", type=int, default=2, help="stop after this many agent replies")
    parser.add_argument("--timeout", type=float, default=60.0)
    asyncio.run(_run_cli(parser.parse_args()))


if __name__ == "__main__":
    main()
