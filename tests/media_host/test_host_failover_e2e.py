"""A media host dies mid-intake (SIGKILL of its process); the interview resumes on another host.

Real processes and no mocks in the path: Azurite; two media hosts as separate ``python -m
media_host`` processes (each with its real RealtimeBridge, IntakeAgent and Table Storage
checkpointer) talking to one local realtime engine (speech mode: eSpeak NG says the agent's
lines); the control plane under uvicorn with its dead-host sweeper; an aiortc client
(:class:`devtools.voice_client.VoiceClient`) answering the agent's questions with typed text over
the data channel.

The test answers a few questions, reads the interview's checkpoint (what the agent knows so far),
SIGKILLs the process of the host carrying the call, and asserts that a ``reconnecting`` status
event arrives within 10 s; the client then sends a fresh offer, which must land on the other
host, where the agent says it lost the line and carries on to a summary that holds every finding
recorded before the kill.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from control_plane.app import create_app as create_control_plane
from control_plane.settings import ControlPlaneSettings
from devtools.azurite import Azurite
from devtools.demo_intake import HEADACHE_PATIENT
from devtools.voice_client import VoiceClient, is_status
from media_host.intake_agent.agent import IntakeAgent
from media_host.intake_agent.settings import AgentSettings
from media_host.local_realtime.server import LocalRealtimeServer
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.runner import bind_socket
from shared.config import MediaHostLinkSettings, StorageSettings
from shared.events import Event, SessionStatus, StatusUpdate, SymptomComplete, TranscriptChunk
from shared.storage import SessionStore, TableStore
from tests.media_host.support import HOST_KEY, serve_app
from tests.support.checkpoints import open_saver

pytestmark = [pytest.mark.slow, pytest.mark.timeout(480)]

REPO = Path(__file__).resolve().parents[2]
ANSWERS_BEFORE_KILL = 3
DETECTION_LIMIT_S = 10.0


def free_port() -> int:
    sock = bind_socket("127.0.0.1", 0)
    try:
        return int(sock.getsockname()[1])
    finally:
        sock.close()


def start_host(
    host_id: str, env: dict[str, str], log_dir: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (log_dir / f"{host_id}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "media_host"],
        cwd=REPO,
        env={
            **env,
            "TRIAGE_MEDIA_HOST_ID": host_id,
            "TRIAGE_MEDIA_HOST_PORT": str(port),
            "TRIAGE_MEDIA_HOST_INTERNAL_URL": url,
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()  # the child holds its own descriptor
    return proc, url


async def wait_live(proc: subprocess.Popen[bytes], url: str, within: float = 120) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=2) as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"media host exited with {proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{url}/livez")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise TimeoutError("media host did not come up")


@contextlib.contextmanager
def media_hosts(env: dict[str, str], log_dir: Path) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        yield procs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def agent_line(after_seq: int) -> Callable[[Event], bool]:
    def match(event: Event) -> bool:
        data = event.data
        return (
            event.seq > after_seq
            and isinstance(data, TranscriptChunk)
            and data.role == "agent"
            and data.final
            and bool(data.text.strip())
        )

    return match


def patient_line(text: str, after_seq: int) -> Callable[[Event], bool]:
    def match(event: Event) -> bool:
        data = event.data
        return (
            event.seq > after_seq
            and isinstance(data, TranscriptChunk)
            and data.role == "patient"
            and data.final
            and data.text.strip() == text
        )

    return match


def summary_event(event: Event) -> bool:
    return isinstance(event.data, SymptomComplete)


async def answer_when_asked(client: VoiceClient, since_seq: int) -> int | None:
    """Like a polite patient: wait until the agent finished speaking (``listening`` after
    `since_seq`), then type the persona's answer to its last line. Returns the seq of the
    answer's transcript, or None once the intake summary arrived."""
    turn_over = await client.wait_for(
        lambda e: e.seq > since_seq and (summary_event(e) or is_status(SessionStatus.LISTENING)(e)),
        90,
    )
    if summary_event(turn_over):
        return None
    with contextlib.suppress(TimeoutError):  # the closing line is followed by the summary
        await client.wait_for(lambda e: e.seq > turn_over.seq and summary_event(e), 1.0)
        return None
    question = [e for e in client.events if agent_line(since_seq)(e)][-1]
    assert isinstance(question.data, TranscriptChunk)
    reply = HEADACHE_PATIENT.answer(question.data.text)
    await client.send_text(reply)
    said = await client.wait_for(patient_line(reply, turn_over.seq), 30)
    return said.seq


async def checkpointed_findings(
    storage: StorageSettings, agent: AgentSettings, session_id: str
) -> dict[str, Any]:
    """What the interview knows now, read from its Table Storage checkpoint."""
    assert storage.connection_string is not None
    async with open_saver(
        storage.connection_string.get_secret_value(),
        agent.checkpoint_table,
        table_prefix=storage.table_prefix,
    ) as saver:
        graph = IntakeAgent(checkpointer=saver).graph
        values = (await graph.aget_state({"configurable": {"thread_id": session_id}})).values
        return dict(values["findings"])


def failover_control_settings(azurite: Azurite, table_prefix: str) -> ControlPlaneSettings:
    """A control plane that declares a host dead 2 s after its last heartbeat."""
    storage = StorageSettings(
        connection_string=SecretStr(azurite.connection_string), table_prefix=table_prefix
    )
    return ControlPlaneSettings(
        storage=storage,
        media_host=MediaHostLinkSettings(key=SecretStr(HOST_KEY)),
        host_dead_after_s=2.0,
        host_sweep_interval_s=0.5,
    )


def host_env(azurite: Azurite, table_prefix: str, engine_url: str) -> dict[str, str]:
    """Environment of a media host process on a shared local engine, heartbeating twice a s."""
    return {
        **os.environ,
        "TRIAGE_STORAGE_CONNECTION_STRING": azurite.connection_string,
        "TRIAGE_TABLE_PREFIX": table_prefix,
        "TRIAGE_MEDIA_HOST_KEY": HOST_KEY,
        "TRIAGE_MEDIA_HOST_HEARTBEAT_S": "0.5",
        "TRIAGE_MEDIA_HOST_DRAIN_TIMEOUT_S": "0",
        "TRIAGE_REALTIME_MODE": "local",
        "TRIAGE_REALTIME_URL": engine_url,
        "TRIAGE_LOCAL_REALTIME_EMBEDDED": "0",
        "TRIAGE_LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


@contextlib.asynccontextmanager
async def local_engine() -> AsyncIterator[LocalRealtimeServer]:
    # A fast eSpeak voice: the test waits for each line to play out before answering.
    engine = LocalRealtimeServer(LocalRealtimeSettings(mode="speech", tts_rate_wpm=400))
    await engine.start()
    try:
        yield engine
    finally:
        await engine.stop()


async def test_sigkilled_host_mid_intake_resumes_on_another_host(
    azurite: Azurite, table_prefix: str, tmp_path: Path
) -> None:
    control = failover_control_settings(azurite, table_prefix)
    async with local_engine() as engine:
        env = host_env(azurite, table_prefix, engine.url)
        with media_hosts(env, tmp_path) as procs:
            urls: dict[str, str] = {}
            for host_id in ("host-a", "host-b"):
                procs[host_id], urls[host_id] = start_host(host_id, env, tmp_path)
            await asyncio.gather(*(wait_live(procs[h], urls[h]) for h in procs))
            async with serve_app(create_control_plane(control)) as api:
                client = VoiceClient(api)
                try:
                    await run_failover(client, procs, control.storage, table_prefix)
                finally:
                    with contextlib.suppress(httpx.HTTPError):
                        await client.hang_up()
                    await client.close()


async def run_failover(
    client: VoiceClient,
    procs: dict[str, subprocess.Popen[bytes]],
    storage: StorageSettings,
    table_prefix: str,
) -> None:
    await client.start()
    await client.wait_for(is_status(SessionStatus.CONNECTED), 30)
    since: int | None = 0
    for _ in range(ANSWERS_BEFORE_KILL):
        assert since is not None
        since = await answer_when_asked(client, since)
    assert since is not None
    await client.wait_for(agent_line(since), 60)
    # The agent asked its next question, so the answers before it are checkpointed.
    before = await checkpointed_findings(storage, AgentSettings(), client.session_id)
    assert "headache" in before, sorted(before)

    async with TableStore.from_settings(storage) as store:
        first_host = (await SessionStore(store).get(client.session_id)).media_host_id
    assert first_host in procs
    survivor = next(h for h in procs if h != first_host)
    killed_at_seq = client.events[-1].seq
    os.kill(procs[first_host].pid, signal.SIGKILL)
    killed_at = time.monotonic()
    lost = await client.wait_for(
        lambda e: (
            e.seq > killed_at_seq
            and isinstance(e.data, StatusUpdate)
            and e.data.status is SessionStatus.RECONNECTING
        ),
        DETECTION_LIMIT_S,
    )
    detected_s = time.monotonic() - killed_at
    assert detected_s < DETECTION_LIMIT_S
    print(f"host loss noticed {detected_s:.2f} s after SIGKILL")  # the figure for the report

    await client.reconnect()
    async with TableStore.from_settings(storage) as store:
        assert (await SessionStore(store).get(client.session_id)).media_host_id == survivor
    await client.wait_for(lambda e: e.seq > lost.seq and is_status(SessionStatus.CONNECTED)(e), 30)
    resumed = await client.wait_for(agent_line(lost.seq), 60)
    assert isinstance(resumed.data, TranscriptChunk)
    assert "lost the line" in resumed.data.text  # it says why, and does not start over
    assert not resumed.data.text.lower().startswith("hello")

    since, turns = lost.seq, 0
    while since is not None:
        turns += 1
        assert turns <= 25, f"the resumed interview did not finish: {client.transcripts()}"
        since = await answer_when_asked(client, since)

    summary = await client.wait_for(summary_event, 30)
    assert isinstance(summary.data, SymptomComplete)
    recorded = {
        finding["concept_id"]: finding
        for key in ("findings_present", "findings_absent", "findings_uncertain")
        for finding in summary.data.summary[key]
    }
    missing = sorted(set(before) - set(recorded))
    assert not missing, f"findings lost across the host failure: {missing}"
    for concept, finding in before.items():
        assert recorded[concept]["presence"] == finding.presence.value, concept
    assert summary.data.summary["chief_complaint"] == "headache"
