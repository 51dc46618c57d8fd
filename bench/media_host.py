"""Media-host capacity benchmark: ``uv run python bench/media_host.py [--sessions 15]``.

Prints, in one run (method in docs/media-host.md, "Capacity"):

(a) raw aiortc loopback — N client peers ↔ N server peers that decode and re-encode (echo) the
    audio; the server process is pinned to one core;
(b) the media host — the same N client peers ↔ the real media host (internal API, IntakeCall,
    inbound resampling, RealtimeBridge, paced outbound track, event log in Azurite), its bridge
    talking to a minimal protocol peer that only echoes audio (bench/realtime_echo_peer.py), the
    host process pinned to one core;

and for each: server CPU per session, sessions per core at real-time pace, received frame rate;
the ratio (b)/(a); the host's added latencies (mic frame → bridge, model delta → RTP frame)
p50/p99; RSS per session. Clients, the echo peer and Azurite run on the other core.

``--smoke`` (1 session, 1 s window) only shows the bench still runs; the test suite uses it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HOST_KEY = "bench-media-host-key-0123456789abcdef"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- measurement helpers (orchestrator) -------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pin(pid: int, core: int) -> None:
    with contextlib.suppress(OSError):
        os.sched_setaffinity(pid, {core})


def spawn(role: str, core: int, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--role", role, *args],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    pin(proc.pid, core)
    return proc


def read_line(proc: subprocess.Popen[str], prefix: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"process ended while waiting for {prefix!r}")
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    raise TimeoutError(prefix)


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class ScenarioResult:
    name: str
    sessions: int
    cpu_fraction: float
    frames_per_s: float
    min_frames_per_s: float
    loud_fraction: float
    rss_idle_mb: float
    rss_loaded_mb: float

    @property
    def cpu_per_session(self) -> float:
        return self.cpu_fraction / self.sessions

    @property
    def sessions_per_core(self) -> float:
        return 1 / self.cpu_per_session if self.cpu_per_session else float("inf")

    @property
    def rss_per_session_mb(self) -> float:
        return (self.rss_loaded_mb - self.rss_idle_mb) / self.sessions


def measure(
    name: str, server: subprocess.Popen[str], client_args: list[str], args: argparse.Namespace
) -> ScenarioResult:
    """Run the clients against a ready server and measure the server over the window."""
    time.sleep(1.0)
    rss_idle = rss_mb(server.pid)
    clients = spawn(
        "clients",
        args.other_core,
        *client_args,
        "--sessions",
        str(args.sessions),
        "--warmup",
        str(args.warmup),
        "--window",
        str(args.window),
    )
    try:
        read_line(clients, "window-start", timeout=120)
        cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
        stats = json.loads(read_line(clients, "stats ", timeout=args.window + 60))
        cpu1, t1 = cpu_seconds(server.pid), time.monotonic()
        rss_loaded = rss_mb(server.pid)
    finally:
        stop(clients)
    return ScenarioResult(
        name=name,
        sessions=args.sessions,
        cpu_fraction=(cpu1 - cpu0) / (t1 - t0),
        frames_per_s=stats["frames_per_s"],
        min_frames_per_s=stats["min_frames_per_s"],
        loud_fraction=stats["loud_fraction"],
        rss_idle_mb=rss_idle,
        rss_loaded_mb=rss_loaded,
    )


def orchestrate(args: argparse.Namespace) -> None:
    cores = sorted(os.sched_getaffinity(0))
    args.server_core = cores[0]
    args.other_core = cores[1] if len(cores) > 1 else cores[0]
    print(
        f"media host bench: {args.sessions} two-way sessions, window {args.window:g} s, "
        f"server pinned to core {args.server_core}, clients/peers on core {args.other_core}",
        flush=True,
    )

    # (a) raw aiortc loopback
    server = spawn("loopback-server", args.server_core)
    try:
        url = read_line(server, "ready ")
        loopback = measure("raw aiortc loopback", server, ["--loopback", url], args)
    finally:
        stop(server)

    # (b) the media host with its bridge, against the echo peer
    from devtools.azurite import start_azurite

    azurite = start_azurite(in_memory=True)
    pin(azurite.process.pid, args.other_core)
    peer = spawn("echo-peer", args.other_core)
    prefix = "bench" + uuid.uuid4().hex[:8]
    try:
        echo_url = read_line(peer, "ws://")
        server = spawn(
            "host-server",
            args.server_core,
            "--storage",
            azurite.connection_string,
            "--prefix",
            prefix,
            "--realtime-url",
            "ws://" + echo_url,
            "--capacity",
            str(args.sessions + 5),
        )
        try:
            url = read_line(server, "ready ")
            host = measure(
                "media host + bridge",
                server,
                ["--host", url, "--storage", azurite.connection_string, "--prefix", prefix],
                args,
            )
            server.send_signal(signal.SIGUSR1)
            latency = json.loads(read_line(server, "latency "))
        finally:
            stop(server)
    finally:
        stop(peer)
        azurite.stop()

    report(loopback, host, latency)


def report(loopback: ScenarioResult, host: ScenarioResult, latency: dict[str, Any]) -> None:
    print()
    print(f"{'':28}{'CPU/session':>12}{'sessions/core':>15}{'frames/s (min)':>17}{'loud':>7}")
    for result in (loopback, host):
        print(
            f"{result.name:28}{result.cpu_per_session * 100:>11.2f}%"
            f"{result.sessions_per_core:>15.1f}"
            f"{result.frames_per_s:>10.1f} ({result.min_frames_per_s:.1f})"
            f"{result.loud_fraction * 100:>6.0f}%"
        )
    ratio = host.sessions_per_core / loopback.sessions_per_core
    print(f"\nratio media host / raw loopback: {ratio:.2f}   (target >= 0.8)")
    pace_ok = host.min_frames_per_s >= 48.0 and host.cpu_fraction < 1.0
    print(
        f"media host at {host.sessions} sessions on one pinned core: "
        f"{host.cpu_fraction * 100:.0f}% CPU, real-time pace {'kept' if pace_ok else 'NOT kept'}"
        f"   (target >= 15 sessions per core)"
    )
    for key, label in (
        ("inbound", "mic frame -> bridge.send_audio      "),
        ("start", "model delta -> RTP (reply onset)    "),
        ("refill", "model delta -> RTP (underrun refill)"),
    ):
        samples = latency.get(key) or []
        if samples:
            p50, p99 = np.percentile(samples, [50, 99]) * 1000
            print(f"added latency {label}: p50 {p50:.2f} ms  p99 {p99:.2f} ms  (n={len(samples)})")
        else:
            print(f"added latency {label}: no samples")
    print(
        f"RSS per session: media host {host.rss_per_session_mb:.2f} MB "
        f"({host.rss_idle_mb:.0f} → {host.rss_loaded_mb:.0f} MB), "
        f"raw loopback {loopback.rss_per_session_mb:.2f} MB   (target <= 8 MB)"
    )


# --- roles (subprocesses) -----------------------------------------------------------------------


def speechlike_pcm(seconds: float = 1.6, pause_s: float = 0.4) -> bytes:
    """A voiced, amplitude-modulated signal with a speech-like spectrum (24 kHz mono s16),
    ending in `pause_s` of digital silence (a pause between sentences)."""
    t = np.arange(int(24_000 * seconds)) / 24_000
    f0 = 140 + 20 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / 24_000
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 4 * t)
    noise = np.random.default_rng(1).normal(0, 0.05, len(t))
    pcm = np.clip((voiced * envelope + noise) * 5000, -32000, 32000).astype("<i2")
    pcm[len(pcm) - int(24_000 * pause_s) :] = 0
    return pcm.tobytes()


async def role_loopback_server() -> None:
    from aiohttp import web
    from aiortc import RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import MediaStreamTrack

    class EchoTrack(MediaStreamTrack):
        kind = "audio"

        def __init__(self, source: MediaStreamTrack) -> None:
            super().__init__()
            self._source = source

        async def recv(self) -> Any:
            return await self._source.recv()

    peers: set[Any] = set()

    async def offer(request: web.Request) -> web.Response:
        body = await request.json()
        pc = RTCPeerConnection()
        peers.add(pc)
        await pc.setRemoteDescription(RTCSessionDescription(sdp=body["sdp"], type="offer"))
        for transceiver in pc.getTransceivers():
            if transceiver.kind == "audio":
                pc.addTrack(EchoTrack(transceiver.receiver.track))
        await pc.setLocalDescription(await pc.createAnswer())
        return web.json_response({"type": "answer", "sdp": pc.localDescription.sdp})

    app = web.Application()
    app.router.add_post("/offer", offer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"ready http://127.0.0.1:{port}", flush=True)
    await _until_terminated()
    await asyncio.gather(*(pc.close() for pc in peers))
    await runner.cleanup()


async def role_host_server(args: argparse.Namespace) -> None:
    from pydantic import SecretStr

    from media_host.call import CallObservers
    from media_host.realtime.settings import RealtimeSettings
    from media_host.runner import running_media_host
    from media_host.settings import MediaHostSettings
    from shared.config import MediaHostLinkSettings, StorageSettings

    inbound: list[float] = []
    outbound_start: list[float] = []
    outbound_refill: list[float] = []

    def on_outbound(seconds: float, after_silence: bool) -> None:
        samples = outbound_start if after_silence else outbound_refill
        if len(samples) < 500_000:
            samples.append(seconds)

    settings = MediaHostSettings(
        host_id="bench-host",
        bind_port=0,
        capacity=args.capacity,
        drain_timeout_s=0,
        storage=StorageSettings(
            connection_string=SecretStr(args.storage), table_prefix=args.prefix
        ),
        link=MediaHostLinkSettings(key=SecretStr(HOST_KEY)),
        # One append per 20 ms frame, so "mic frame → append" is not dominated by batching.
        realtime=RealtimeSettings(
            mode="local", websocket_base_url=args.realtime_url, append_chunk_ms=20
        ),
    )

    def on_inbound(seconds: float) -> None:
        if len(inbound) < 500_000:
            inbound.append(seconds)

    observers = CallObservers(inbound=on_inbound, outbound=on_outbound)
    loop = asyncio.get_running_loop()

    def dump() -> None:
        samples = {"inbound": inbound, "start": outbound_start, "refill": outbound_refill}
        print("latency " + json.dumps(samples), flush=True)

    loop.add_signal_handler(signal.SIGUSR1, dump)
    async with running_media_host(settings, observers=observers, register=False) as host:
        print(f"ready {host.url}", flush=True)
        await _until_terminated()


async def role_echo_peer() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from realtime_echo_peer import run

    task = asyncio.create_task(run("127.0.0.1", 0))
    await _until_terminated()
    task.cancel()


async def role_clients(args: argparse.Namespace) -> None:
    import httpx
    from aiortc import RTCPeerConnection, RTCSessionDescription
    from av import AudioFrame

    from media_host.webrtc.inbound import first_channel
    from media_host.webrtc.outbound import PacedAudioTrack
    from shared.mediahost_api import KEY_HEADER, offer_path
    from shared.tokens import hash_token, new_session_token

    speech = speechlike_pcm()
    window = {"start": float("inf"), "end": float("inf")}
    counters: list[dict[str, int]] = []
    peers: list[Any] = []
    tasks: list[asyncio.Task[Any]] = []
    sessions = None
    store = None
    if args.host:
        from pydantic import SecretStr

        from shared.config import StorageSettings
        from shared.storage import SessionStore, TableStore

        store = TableStore.from_settings(
            StorageSettings(connection_string=SecretStr(args.storage), table_prefix=args.prefix)
        )
        await store.open()
        sessions = SessionStore(store)

    async def record(track: Any, counter: dict[str, int]) -> None:
        with contextlib.suppress(Exception):
            while True:
                frame = await track.recv()
                now = time.monotonic()
                if window["start"] <= now < window["end"] and isinstance(frame, AudioFrame):
                    counter["frames"] += 1
                    samples = first_channel(frame).astype(np.float64)
                    if np.sqrt(np.mean(samples**2)) > 200:
                        counter["loud"] += 1

    async def feed(mic: PacedAudioTrack) -> None:
        while True:
            if mic.buffered_ms < 500:
                mic.push("mic", speech)
            await asyncio.sleep(0.1)

    async def start_one(http: httpx.AsyncClient) -> None:
        counter = {"frames": 0, "loud": 0}
        counters.append(counter)
        mic = PacedAudioTrack(buffer_ms=5000)
        pc = RTCPeerConnection()
        peers.append(pc)
        pc.addTransceiver(mic, direction="sendrecv")
        pc.createDataChannel("events")
        connected = asyncio.Event()

        def state_changed() -> None:
            if pc.connectionState == "connected":
                connected.set()

        pc.on("connectionstatechange", state_changed)
        pc.on("track", lambda track: tasks.append(asyncio.create_task(record(track, counter))))
        await pc.setLocalDescription(await pc.createOffer())
        if args.loopback:
            response = await http.post(
                f"{args.loopback}/offer", json={"sdp": pc.localDescription.sdp}
            )
        else:
            assert sessions is not None
            session_id = uuid.uuid4().hex
            await sessions.create(
                session_id=session_id,
                language="en",
                token_hash=hash_token(new_session_token()),
                expires_at=datetime.now(UTC) + timedelta(hours=1),
            )
            expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
            response = await http.post(
                args.host + offer_path(session_id),
                json={
                    "type": "offer",
                    "sdp": pc.localDescription.sdp,
                    "language": "en",
                    "expires_at": expires,
                },
                headers={KEY_HEADER: HOST_KEY},
            )
        response.raise_for_status()
        await pc.setRemoteDescription(
            RTCSessionDescription(sdp=response.json()["sdp"], type="answer")
        )
        await asyncio.wait_for(connected.wait(), 30)
        tasks.append(asyncio.create_task(feed(mic)))

    async with httpx.AsyncClient(timeout=60) as http:
        for _ in range(args.sessions):
            await start_one(http)
    await asyncio.sleep(args.warmup)
    window["start"] = time.monotonic()
    window["end"] = window["start"] + args.window
    print("window-start", flush=True)
    await asyncio.sleep(args.window + 0.1)
    rates = [c["frames"] / args.window for c in counters]
    frames = sum(c["frames"] for c in counters)
    stats = {
        "frames_per_s": statistics.fmean(rates),
        "min_frames_per_s": min(rates),
        "loud_fraction": sum(c["loud"] for c in counters) / frames if frames else 0.0,
    }
    print("stats " + json.dumps(stats), flush=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*(pc.close() for pc in peers), return_exceptions=True)
    if store is not None:
        await store.close()


async def _until_terminated() -> None:
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopped.set)
    await stopped.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=15)
    parser.add_argument("--window", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--role", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--loopback", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--host", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--storage", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--prefix", default="", help=argparse.SUPPRESS)
    parser.add_argument("--realtime-url", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--capacity", type=int, default=20, help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help="1 session, 1 s window: it runs")
    args = parser.parse_args()
    if args.smoke:
        args.sessions, args.window, args.warmup = 1, 1.0, 0.5
    if args.role is None:
        orchestrate(args)
    elif args.role == "loopback-server":
        asyncio.run(role_loopback_server())
    elif args.role == "host-server":
        asyncio.run(role_host_server(args))
    elif args.role == "echo-peer":
        asyncio.run(role_echo_peer())
    elif args.role == "clients":
        asyncio.run(role_clients(args))


if __name__ == "__main__":
    main()
