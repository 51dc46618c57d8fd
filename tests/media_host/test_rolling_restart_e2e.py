"""A rolling restart of the media hosts with live calls loses none of them.

Real processes, as in test_host_failover_e2e.py: Azurite; media hosts as separate ``python -m
media_host`` processes (real RealtimeBridge, IntakeAgent, Table Storage checkpointer) on one local
realtime engine; the control plane under uvicorn; aiortc clients (:class:`VoiceClient`) answering
the agent by typed text.

The restart is what a deploy does, one host at a time: both calls start on ``host-a``; ``host-b``
comes up; ``host-a`` gets SIGTERM while both calls are live (1 s drain bound, so the intakes
cannot finish in it) and must hand both over — ``reconnecting`` on the data channel and the event
log, the clients re-offer, the calls land on ``host-b`` and carry on. Then ``host-c`` replaces
``host-a`` and ``host-b`` gets SIGTERM the same way. Every call must end ``completed`` with its
summary, never ``failed``, and each stopped host must exit cleanly. The handover times are printed
(``-s``) for the report.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from control_plane.app import create_app as create_control_plane
from devtools.azurite import Azurite
from devtools.voice_client import VoiceClient, is_status
from shared.events import Event, SessionStatus, StatusUpdate, SymptomComplete, TranscriptChunk
from shared.storage import SessionStore, TableStore
from tests.media_host.support import serve_app
from tests.media_host.test_host_failover_e2e import (
    agent_line,
    answer_when_asked,
    failover_control_settings,
    host_env,
    local_engine,
    media_hosts,
    start_host,
    summary_event,
    wait_live,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

CALLS = 2
ANSWERS_PER_HOST = 2
DRAIN_BOUND_S = "1"
HANDOVER_LIMIT_S = 10.0


def reconnecting_after(seq: int) -> Callable[[Event], bool]:
    def match(event: Event) -> bool:
        return (
            event.seq > seq
            and isinstance(event.data, StatusUpdate)
            and event.data.status is SessionStatus.RECONNECTING
        )

    return match


def channel_reconnects(client: VoiceClient) -> int:
    """How many ``reconnecting`` status updates arrived on the client's data channels."""
    return sum(
        1
        for message in client.channel_messages
        if message.get("type") == "status_update"
        and message.get("data", {}).get("status") == SessionStatus.RECONNECTING.value
    )


async def answer(client: VoiceClient, since: int, count: int) -> int:
    """Answer `count` questions; returns the seq once the agent started its next line."""
    for _ in range(count):
        answered = await answer_when_asked(client, since)
        assert answered is not None, "the intake finished before the restart"
        since = answered
    line = await client.wait_for(agent_line(since), 60)
    return line.seq


async def follow_handover(
    client: VoiceClient, since: int, stopped_at: float
) -> tuple[int, float, float]:
    """The stopping host hands the call over: the client learns it on the data channel and
    the event log, re-offers, and the agent resumes on another host. Returns the seq of the
    resumed line, the seconds from SIGTERM to ``reconnecting`` on the data channel, and from
    there to ``connected`` on the next host."""
    heard = channel_reconnects(client)
    deadline = stopped_at + HANDOVER_LIMIT_S
    while channel_reconnects(client) == heard:
        assert time.monotonic() < deadline, "no reconnecting status on the data channel"
        await asyncio.sleep(0.02)
    handover_s = time.monotonic() - stopped_at
    lost = await client.wait_for(reconnecting_after(since), HANDOVER_LIMIT_S)
    assert isinstance(lost.data, StatusUpdate)
    assert "restarting" in lost.data.detail
    await client.reconnect()
    await client.wait_for(lambda e: e.seq > lost.seq and is_status(SessionStatus.CONNECTED)(e), 30)
    resume_s = time.monotonic() - stopped_at - handover_s
    resumed = await client.wait_for(agent_line(lost.seq), 60)
    assert isinstance(resumed.data, TranscriptChunk)
    assert "lost the line" in resumed.data.text  # it resumes, it does not start over
    return lost.seq, handover_s, resume_s


async def host_of(store: TableStore, client: VoiceClient) -> str | None:
    return (await SessionStore(store).get(client.session_id)).media_host_id


async def finish(client: VoiceClient, since: int) -> SymptomComplete:
    turns, cursor = 0, since
    while True:
        turns += 1
        assert turns <= 25, f"the interview did not finish: {client.transcripts()}"
        answered = await answer_when_asked(client, cursor)
        if answered is None:
            break
        cursor = answered
    summary = await client.wait_for(summary_event, 30)
    assert isinstance(summary.data, SymptomComplete)
    return summary.data


async def test_rolling_restart_with_live_calls_loses_none(
    azurite: Azurite, table_prefix: str, tmp_path: Path
) -> None:
    control = failover_control_settings(azurite, table_prefix)
    async with local_engine() as engine:
        env = {
            **host_env(azurite, table_prefix, engine.url),
            "TRIAGE_MEDIA_HOST_DRAIN_TIMEOUT_S": DRAIN_BOUND_S,
            # INFO: the drain and uvicorn's lifespan lines are what the clean-exit check reads.
            "TRIAGE_LOG_LEVEL": "INFO",
        }
        with media_hosts(env, tmp_path) as procs:
            procs["host-a"], url_a = start_host("host-a", env, tmp_path)
            await wait_live(procs["host-a"], url_a)
            async with (
                serve_app(create_control_plane(control)) as api,
                TableStore.from_settings(control.storage) as store,
            ):
                clients = [VoiceClient(api) for _ in range(CALLS)]
                try:
                    await roll(clients, procs, env, tmp_path, store)
                finally:
                    for client in clients:
                        with contextlib.suppress(httpx.HTTPError):
                            await client.hang_up()
                        await client.close()


async def roll(
    clients: list[VoiceClient],
    procs: dict[str, subprocess.Popen[bytes]],
    env: dict[str, str],
    tmp_path: Path,
    store: TableStore,
) -> None:
    await asyncio.gather(*(client.start() for client in clients))
    await asyncio.gather(
        *(client.wait_for(is_status(SessionStatus.CONNECTED), 30) for client in clients)
    )
    assert [await host_of(store, c) for c in clients] == ["host-a"] * CALLS
    cursors = list(await asyncio.gather(*(answer(c, 0, ANSWERS_PER_HOST) for c in clients)))

    handovers: list[float] = []
    resumes: list[float] = []
    for stopping, replacement in (("host-a", "host-b"), ("host-b", "host-c")):
        procs[replacement], url = start_host(replacement, env, tmp_path)
        await wait_live(procs[replacement], url)
        stopped_at = time.monotonic()
        os.kill(procs[stopping].pid, signal.SIGTERM)  # what the platform sends a replica
        results = await asyncio.gather(
            *(
                follow_handover(c, cursor, stopped_at)
                for c, cursor in zip(clients, cursors, strict=True)
            )
        )
        handovers += [seconds for _, seconds, _ in results]
        resumes += [seconds for _, _, seconds in results]
        assert [await host_of(store, c) for c in clients] == [replacement] * CALLS
        # A clean drain: the lifespan finished (uvicorn then re-raises the signal it caught).
        assert await asyncio.to_thread(procs[stopping].wait, 30) == -signal.SIGTERM
        log = (tmp_path / f"{stopping}.log").read_text()
        assert f"drained: {CALLS} call(s) handed over" in log
        assert "Application shutdown complete" in log
        cursors = [seq for seq, _, _ in results]
        if replacement == "host-b":
            cursors = list(
                await asyncio.gather(
                    *(
                        answer(c, seq, ANSWERS_PER_HOST)
                        for c, seq in zip(clients, cursors, strict=True)
                    )
                )
            )

    summaries = await asyncio.gather(
        *(finish(c, seq) for c, seq in zip(clients, cursors, strict=True))
    )
    for client, summary in zip(clients, summaries, strict=True):
        assert summary.summary["chief_complaint"] == "headache"
        statuses = [e.data.status for e in client.events if isinstance(e.data, StatusUpdate)]
        assert SessionStatus.FAILED not in statuses, statuses
        assert statuses.count(SessionStatus.RECONNECTING) == 2
        assert channel_reconnects(client) == 2
        record = await SessionStore(store).get(client.session_id)
        assert record.status is SessionStatus.COMPLETED, record.status
    print(  # the figures for the report
        f"rolling restart: {CALLS} calls, 2 hosts stopped, 0 lost; SIGTERM → reconnecting on "
        f"the data channel {min(handovers):.2f}–{max(handovers):.2f} s (drain bound "
        f"{DRAIN_BOUND_S} s), then connected on the next host in "
        f"{min(resumes):.2f}–{max(resumes):.2f} s"
    )
