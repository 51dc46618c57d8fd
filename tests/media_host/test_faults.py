"""Fault tests with real processes and sockets: no patient words lost, no silent call.

- Storage: a real Azurite (persistent location in a temporary directory, so its data survives a
  restart) is stopped by its PID for ~10 s in the middle of an intake and started again on the
  same port. The bridge, the intake agent (checkpoints in Table Storage), the call's event sink
  (event log + sessions row) and the offline local engine are all real; the patient types.
- Model connection: the bridge reaches the local engine through a TCP relay on loopback; the
  relay's sockets are cut (both sides aborted) right after the patient answered, before the
  engine committed the answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from devtools.azurite import Azurite, free_port, start_azurite
from media_host.call_events import CallEventSink
from media_host.intake_agent.agent import IntakeAgent
from media_host.intake_agent.checkpoint import TableStorageSaver
from media_host.intake_agent.models import AgentReply, AgentTurn, IntakeSummary
from media_host.local_realtime.server import LocalRealtimeServer
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.realtime.bridge import RealtimeBridge
from media_host.realtime.settings import RealtimeSettings
from shared.config import StorageSettings
from shared.events import (
    ErrorEvent,
    Event,
    EventType,
    SessionStatus,
    StatusUpdate,
    SymptomComplete,
    TranscriptChunk,
)
from shared.storage import EventLog, EventLogWriter, SessionRecord, SessionStore, TableStore
from shared.storage.tables import ALL_TABLES
from tests.fixtures.speech import silence_pcm16, synthesize_pcm16_24k
from tests.media_host.support import create_session
from tests.realtime.fakes import MemoryEvents, MemoryPlayback

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

OUTAGE_S = 10.0
CHECKPOINTS = "intakecheckpoints"
NOT_CAUGHT_EN = IntakeAgent().recovery_reply("en", "not_caught").say


class CountingAgent:
    """The real IntakeAgent; counts the utterances it processed (its answers, in order)."""

    def __init__(self, agent: IntakeAgent) -> None:
        self._agent = agent
        self.turns: list[AgentTurn] = []

    async def start_session(self, session_id: str, language: str) -> AgentReply:
        return await self._agent.start_session(session_id, language)

    async def handle_utterance(self, session_id: str, *, item_id: str, text: str) -> AgentTurn:
        turn = await self._agent.handle_utterance(session_id, item_id=item_id, text=text)
        if not turn.failed:
            self.turns.append(turn)
        return turn

    async def realtime_instructions(self, session_id: str) -> str:
        return await self._agent.realtime_instructions(session_id)

    async def get_summary(self, session_id: str) -> Any:
        return await self._agent.get_summary(session_id)

    async def finish(self, session_id: str) -> IntakeSummary:
        return await self._agent.finish(session_id)

    def end_call(self, session_id: str) -> None:
        self._agent.end_call(session_id)

    def recovery_reply(self, language: str, reason: Any) -> AgentReply:
        return self._agent.recovery_reply(language, reason)


async def until(predicate: Any, within: float) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(0.05)


def stop_saving(azurite: Azurite) -> None:
    """Stop Azurite by its PID with SIGINT: the one signal on which it writes its database to
    its location before exiting (on SIGTERM it dies at once, losing up to 5 s of writes, which
    real Table Storage never does)."""
    os.kill(azurite.process.pid, signal.SIGINT)
    azurite.process.wait(timeout=20)
    azurite.stop()  # closes its log


COMPLAINT = "I have had a bad headache since yesterday."


async def intake_through_storage_outage(
    tmp_path: Path, table_prefix: str, *, retry_budget_s: float
) -> tuple[list[Event], SessionRecord, str, list[str]]:
    """Run an intake whose chief complaint is given while Azurite is down for OUTAGE_S.

    Returns the session's events, its row, the complaint's item id and what the engine was
    asked to say. If the agent gave up on the complaint (budget shorter than the outage), the
    patient repeats it once storage is back, as they were asked to.
    """
    port = free_port()
    location = tmp_path / "azurite"
    azurite: Azurite | None = start_azurite(port=port, in_memory=False, location=location)
    assert azurite is not None
    storage = StorageSettings(
        connection_string=SecretStr(azurite.connection_string), table_prefix=table_prefix
    )
    store = TableStore.from_settings(storage, tables=(*ALL_TABLES, CHECKPOINTS))
    engine = LocalRealtimeServer(LocalRealtimeSettings(mode="speech", output_pace_factor=0))
    bridge: RealtimeBridge | None = None
    try:
        await store.open()
        agent = CountingAgent(IntakeAgent(checkpointer=TableStorageSaver(store.table(CHECKPOINTS))))
        sessions = SessionStore(store)
        session_id = await create_session(sessions)
        sink = CallEventSink(session_id, EventLogWriter(EventLog(store), session_id), sessions)
        await engine.start()
        bridge = RealtimeBridge(
            settings=RealtimeSettings(
                websocket_base_url=engine.url, agent_retry_budget_s=retry_budget_s
            ),
            session_id=session_id,
            language="en",
            agent=agent,
            playback=MemoryPlayback(),
            events=sink,
        )
        await bridge.start()

        async def say(text: str, within: float = 60) -> AgentTurn:
            assert bridge is not None
            before = len(agent.turns)
            await bridge.send_text(text)
            await until(lambda: len(agent.turns) > before, within)
            return agent.turns[-1]

        await say("yes")
        # Storage goes away while the patient gives the chief complaint.
        stop_saving(azurite)
        azurite = None
        complaint = await bridge.send_text(COMPLAINT)
        await asyncio.sleep(OUTAGE_S)
        azurite = start_azurite(port=port, in_memory=False, location=location)
        back_at = time.monotonic()
        if len(agent.turns) == 1 and bridge.unprocessed:
            turn = await say(COMPLAINT)  # asked to repeat it
        else:
            await until(lambda: len(agent.turns) == 2, 60)  # answered from the durable record
            print(f"\ncomplaint answered {time.monotonic() - back_at:.2f} s after storage returned")
            turn = agent.turns[-1]
        for _ in range(40):
            if turn.reply.phase == "summary":
                break
            turn = await say("no")
        assert turn.reply.phase == "summary"
        await say("yes, that's right")
        await asyncio.wait_for(bridge.finished.wait(), 60)
        await bridge.aclose()
        await sink.aclose()
        events = await EventLog(store).read(session_id)
        record = await sessions.get(session_id)
        asked = [
            e["response"]["instructions"]
            for e in engine.received_events
            if e.get("type") == "response.create"
        ]
    finally:
        if bridge is not None:
            await bridge.aclose()
        await engine.stop()
        await store.close()
        if azurite is not None:
            azurite.stop()
    return events, record, complaint, asked


def summary_of(events: list[Event]) -> IntakeSummary:
    (done,) = [e.data.summary for e in events if isinstance(e.data, SymptomComplete)]
    return IntakeSummary.model_validate(done)


def patient_items(events: list[Event]) -> list[str]:
    return [
        e.data.item_id
        for e in events
        if isinstance(e.data, TranscriptChunk) and e.data.final and e.data.role == "patient"
    ]


async def test_storage_outage_mid_intake_loses_no_utterance(tmp_path: Path, table_prefix) -> None:
    events, record, complaint, asked = await intake_through_storage_outage(
        tmp_path, table_prefix, retry_budget_s=30
    )
    patient = patient_items(events)
    assert patient.count(complaint) == 1
    summary = summary_of(events)
    assert summary.chief_complaint == "headache"
    assert summary.unprocessed_utterances == []
    assert summary.confirmed_by_patient is True
    # Every patient utterance in the log reached the agent: none was lost.
    refs = {r.item_id for r in summary.transcript_refs if r.role == "patient"}
    assert set(patient) <= refs, (patient, refs)
    assert not [e.data for e in events if isinstance(e.data, ErrorEvent)]
    assert not any(NOT_CAUGHT_EN in a for a in asked)
    statuses = [e.data.status for e in events if isinstance(e.data, StatusUpdate)]
    assert statuses[-1] is SessionStatus.COMPLETED
    assert record.status is SessionStatus.COMPLETED
    assert record.summary == summary.model_dump(mode="json")


async def test_storage_outage_beyond_the_retry_budget_marks_the_gap(
    tmp_path: Path, table_prefix
) -> None:
    events, record, complaint, asked = await intake_through_storage_outage(
        tmp_path, table_prefix, retry_budget_s=2
    )
    # The patient was asked, in the agent's words, to say it again, and did.
    assert any(f'"""\n{NOT_CAUGHT_EN}\n"""' in a for a in asked)
    assert not any("You did not catch" in a for a in asked)
    patient = patient_items(events)
    assert patient.count(complaint) == 1  # its text is in the log all the same
    summary = summary_of(events)
    assert summary.chief_complaint == "headache"  # from the repeated answer
    assert summary.unprocessed_utterances == [complaint]
    assert summary.confirmed_by_patient is None  # the read-back did not cover the gap
    assert [e.data.code for e in events if isinstance(e.data, ErrorEvent)] == ["agent_error"]
    assert record.status is SessionStatus.COMPLETED
    assert record.summary is not None and record.summary["confirmed_by_patient"] is None


class Relay:
    """A TCP relay on loopback whose connections can be cut (both sockets aborted)."""

    def __init__(self, target_port: int) -> None:
        self._target = target_port
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target)
        self._writers += [writer, up_writer]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    def cut(self) -> None:
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@contextlib.asynccontextmanager
async def relayed_engine() -> AsyncIterator[tuple[LocalRealtimeServer, Relay]]:
    unpaced = LocalRealtimeSettings(mode="speech", output_pace_factor=0)
    async with LocalRealtimeServer(unpaced) as engine:
        relay = Relay(engine.port)
        await relay.start()
        try:
            yield engine, relay
        finally:
            await relay.stop()


def agent_items(playback: MemoryPlayback) -> list[str]:
    return list(dict.fromkeys(item for item, _ in playback.pushed))


async def test_cut_model_connection_the_call_speaks_again_within_5_s() -> None:
    agent = IntakeAgent()
    playback, events = MemoryPlayback(), MemoryEvents()
    async with relayed_engine() as (_engine, relay):
        bridge = RealtimeBridge(
            settings=RealtimeSettings(websocket_base_url=f"ws://127.0.0.1:{relay.port}/v1"),
            session_id="fault-cut-1",
            language="en",
            agent=agent,
            playback=playback,
            events=events,
        )
        try:
            await bridge.start()
            await events.wait_for(lambda ev: _said(ev, SessionStatus.LISTENING), timeout=60)
            # The patient answers (real speech, in real time); the line is cut as they finish,
            # before the engine committed the answer: the answer is lost with the old session.
            speech = synthesize_pcm16_24k("I have had a bad headache since yesterday.")
            chunk = 2_880  # 60 ms
            for i in range(0, len(speech), chunk):
                await bridge.send_audio(speech[i : i + chunk])
                await asyncio.sleep(0.06)
            spoken_items = len(agent_items(playback))
            relay.cut()
            cut_at = time.monotonic()
            quiet = silence_pcm16(60)
            while len(agent_items(playback)) == spoken_items and time.monotonic() - cut_at < 5:
                await bridge.send_audio(quiet)
                await asyncio.sleep(0.06)
            resumed_after = time.monotonic() - cut_at
            print(f"\nagent spoke again {resumed_after:.2f} s after the cut")
            assert len(agent_items(playback)) > spoken_items, "the call went silent"
            await events.wait_for(lambda ev: len(_agent_finals(ev)) >= 2, timeout=30)
        finally:
            await bridge.aclose()
    again = _agent_finals(events)[-1]
    assert again.startswith(agent.recovery_reply("en", "line_dropped").say)
    assert [e.code for e in events.of(EventType.ERROR)] == ["model_connection_lost"]


def _said(events: MemoryEvents, status: SessionStatus) -> bool:
    return any(s.status is status for s in events.of(EventType.STATUS_UPDATE))


def _agent_finals(events: MemoryEvents) -> list[str]:
    return [c.text for c in events.of(EventType.TRANSCRIPT_CHUNK) if c.final and c.role == "agent"]
