"""The bridge against a local replay server speaking GA Realtime, through the real openai SDK.

Each test replays a server-event sequence shaped like the recorded traces (our own ids) and
asserts what the bridge SENT to the server and what it EMITTED as session events.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time

import pytest

from media_host.intake_agent.models import AgentTurn
from media_host.realtime.bridge import RealtimeBridge
from media_host.realtime.errors import SessionClosedError
from media_host.realtime.settings import RealtimeSettings
from shared.events import (
    BargeIn,
    ErrorEvent,
    EventType,
    SessionStatus,
    StatusUpdate,
    TranscriptChunk,
)
from shared.problems import StorageError
from tests.realtime import wire
from tests.realtime.conftest import QuickRetry, RigFactory
from tests.realtime.fakes import (
    LINE_DROPPED,
    NOT_CAUGHT,
    MemoryEvents,
    MemoryPlayback,
    ScriptedAgent,
    reply,
    turn,
)
from tests.realtime.replay_server import Close, Drop, Expect, ReplayServer, Send
from tests.support.log_scan import ip_addresses_in

GREETING = "Hello, what brings you in?"
A0, U1, A1, U2, A2 = "item_A0", "item_U1", "item_A1", "item_U2", "item_A2"


def opening(*, previous: str | None = None, greeting_item: str = A0, resp: str = "resp_g") -> list:
    """session.created → session.update/updated → greeting response.create → spoken greeting."""
    return [
        Send(wire.session_created()),
        Expect("session.update"),
        Send(wire.session_updated()),
        Expect("response.create"),
        Send(
            wire.response_created(resp),
            *wire.assistant_start(resp, greeting_item, previous),
            wire.transcript_delta(resp, greeting_item, "Hello,"),
            wire.audio_delta(resp, greeting_item),
            wire.transcript_delta(resp, greeting_item, " what brings you in?"),
            wire.audio_delta(resp, greeting_item),
            *wire.assistant_end(resp, greeting_item, previous, GREETING),
            wire.rate_limits(),
        ),
    ]


def spoken(resp: str, item: str, previous: str, text: str, n_audio: int = 2) -> Send:
    return Send(
        wire.response_created(resp),
        *wire.assistant_start(resp, item, previous),
        wire.transcript_delta(resp, item, text),
        *[wire.audio_delta(resp, item) for _ in range(n_audio)],
        *wire.assistant_end(resp, item, previous, text),
        wire.rate_limits(),
    )


def finals(events) -> list[tuple[str, str, str]]:
    return [(c.role, c.item_id, c.text) for c in events.of(EventType.TRANSCRIPT_CHUNK) if c.final]


async def test_audio_turn(rig: RigFactory) -> None:
    agent = ScriptedAgent([turn("How bad is the pain, from 0 to 10?")])
    r = await rig(
        [
            [
                *opening(),
                Send(
                    *wire.user_turn(U1, A0, 4000),
                    wire.transcription_delta(U1, "I have had a headache"),
                    wire.transcription_completed(U1, "I have had a headache since yesterday."),
                ),
                Expect("response.create"),
                spoken("resp_2", A1, U1, "How bad is the pain, from 0 to 10?"),
            ]
        ],
        agent,
    )
    await r.bridge.send_audio(b"\x01\x00" * (24_000 // 5))  # 200 ms → three 60 ms appends
    await r.events.wait_for(lambda ev: len(finals(ev)) == 3)
    conn = r.server.connections[0]
    assert conn.path == "/v1/realtime?model=gpt-realtime"

    update = conn.of("session.update")[0]["session"]
    assert update["type"] == "realtime"
    assert update["instructions"].startswith("You are the voice of a triage intake assistant.")
    assert update["output_modalities"] == ["audio"]
    audio_in = update["audio"]["input"]
    assert audio_in["format"] == {"type": "audio/pcm", "rate": 24000}
    assert audio_in["turn_detection"]["type"] == "server_vad"
    assert audio_in["turn_detection"]["create_response"] is False
    assert audio_in["transcription"]["model"] == "gpt-4o-mini-transcribe"
    assert update["audio"]["output"]["voice"] == "alloy"

    creates = conn.of("response.create")
    assert GREETING in creates[0]["response"]["instructions"]
    assert "How bad is the pain, from 0 to 10?" in creates[1]["response"]["instructions"]
    assert r.agent.utterances == [(U1, "I have had a headache since yesterday.")]
    assert finals(r.events) == [
        ("agent", A0, GREETING),
        ("patient", U1, "I have had a headache since yesterday."),
        ("agent", A1, "How bad is the pain, from 0 to 10?"),
    ]
    appends = await_appends = conn.of("input_audio_buffer.append")
    assert [len(base64.b64decode(a["audio"])) for a in await_appends] == [2880, 2880, 2880]
    assert appends  # 20 ms stays pending until the next chunk
    assert {item for item, _ in r.playback.pushed} == {A0, A1}
    statuses = [s.status for s in r.events.of(EventType.STATUS_UPDATE)]
    assert statuses[0] == SessionStatus.AGENT_SPEAKING
    assert r.events.of(EventType.ERROR) == []
    assert r.bridge.rate_limits[0].name == "tokens"


async def test_barge_in_with_turn_detected_cancellation(rig: RigFactory) -> None:
    script = [
        Send(wire.session_created()),
        Expect("session.update"),
        Send(wire.session_updated()),
        Expect("response.create"),
        Send(
            wire.response_created("resp_g"),
            *wire.assistant_start("resp_g", A0, None),
            *[wire.audio_delta("resp_g", A0) for _ in range(5)],  # 200 ms received
            wire.transcript_delta("resp_g", A0, "Hello, what"),
            wire.speech_started(U1, 2_500),
            # The server cancels its own response (interrupt_response): the tail still comes.
            *wire.assistant_end(
                "resp_g", A0, None, "Hello, what", status="cancelled", reason="turn_detected"
            ),
            wire.rate_limits(),
        ),
        Expect("conversation.item.truncate"),
        Send(wire.truncated(A0, 120)),
        Expect("response.cancel"),
        Send(
            wire.error(
                "response_cancel_not_active", "Cancellation failed: no active response found"
            )
        ),
        Send(
            wire.speech_stopped(U1, 4_000),
            wire.committed(U1, A0),
            wire.user_audio_item("added", U1, A0),
            wire.transcription_completed(U1, "Sorry, I have chest pain."),
        ),
        Expect("response.create"),
        spoken("resp_2", A1, U1, "Where exactly is the pain?"),
    ]
    agent = ScriptedAgent([turn("Where exactly is the pain?")])
    r = await rig([script], agent, start=False)
    r.playback.playing, r.playback.heard_ms = True, 120
    await r.bridge.start()
    await r.events.wait_for(lambda ev: ("agent", A1, "Where exactly is the pain?") in finals(ev))
    conn = r.server.connections[0]
    assert conn.of("conversation.item.truncate") == [
        {
            "type": "conversation.item.truncate",
            "item_id": A0,
            "content_index": 0,
            "audio_end_ms": 120,
        }
    ]
    assert len(conn.of("response.cancel")) == 1
    assert r.events.of(EventType.BARGE_IN) == [BargeIn(item_id=A0, played_ms=120)]
    assert r.events.of(EventType.ERROR) == []  # the cancel race is benign
    assert len(r.playback.interrupts) == 1
    assert all(item == A0 for item, _ in r.playback.pushed[:5])
    statuses = [s.status for s in r.events.of(EventType.STATUS_UPDATE)]
    assert statuses[:2] == [SessionStatus.AGENT_SPEAKING, SessionStatus.LISTENING]
    assert conn.expect_failures == []


async def test_the_model_is_offered_no_tools(rig: RigFactory) -> None:
    """The agent decides every sentence: the session carries no function tools."""
    r = await rig([[*opening()]], ScriptedAgent([]))
    await r.events.wait_for(lambda ev: any(role == "agent" for role, _, _ in finals(ev)))
    (update,) = r.server.connections[0].of("session.update")
    assert "tools" not in update["session"] and "tool_choice" not in update["session"]


async def test_truncate_overshoot_error_is_absorbed(rig: RigFactory) -> None:
    script = [
        *opening(),
        Send(wire.speech_started(U1, 9000)),
        Expect("conversation.item.truncate"),
        Send(
            wire.error(None, "Audio content of 40ms is already shorter than 80ms"),
            wire.truncated(A0, 40),
            wire.speech_stopped(U1, 10000),
            wire.committed(U1, A0),
            wire.transcription_completed(U1, "Actually, I also feel sick."),
        ),
        Expect("response.create"),
        spoken("resp_2", A1, U1, "Have you been sick today?"),
    ]
    agent = ScriptedAgent([turn("Have you been sick today?")])
    r = await rig([script], agent, start=False)
    r.playback.playing = True
    await r.bridge.start()
    await r.events.wait_for(lambda ev: ("agent", A1, "Have you been sick today?") in finals(ev))
    assert r.server.connections[0].of("conversation.item.truncate")[0]["audio_end_ms"] == 80
    assert r.events.of(EventType.ERROR) == []
    assert not r.bridge.finished.is_set()


async def test_invalid_api_key_is_fatal(rig: RigFactory) -> None:
    script = [
        Send(
            wire.error(
                "invalid_api_key",
                "Incorrect API key provided: sk-***. You can find your API key at ...",
            )
        ),
        Close(3000, "invalid_request_error.invalid_api_key"),
    ]
    r = await rig([script])
    await asyncio.wait_for(r.bridge.finished.wait(), 5)
    (error,) = r.events.of(EventType.ERROR)
    assert error == ErrorEvent(
        code="model_invalid_api_key", message="the model rejected the session", retryable=False
    )
    assert r.events.of(EventType.STATUS_UPDATE)[-1].status == SessionStatus.FAILED
    await asyncio.sleep(0.1)
    assert len(r.server.connections) == 1  # no reconnect after a permanent failure


async def test_beta_header_rejection_close_4000_is_fatal(rig: RigFactory) -> None:
    script = [
        Send(wire.session_created()),
        Send(
            wire.error(
                "beta_api_shape_disabled",
                "The Realtime Beta API is no longer supported. "
                "Please use /v1/realtime for the GA API.",
            )
        ),
        Close(4000, "invalid_request_error.beta_api_shape_disabled"),
    ]
    r = await rig([script])
    await asyncio.wait_for(r.bridge.finished.wait(), 5)
    assert [e.retryable for e in r.events.of(EventType.ERROR)] == [False]
    assert r.events.of(EventType.STATUS_UPDATE)[-1] == StatusUpdate(
        status=SessionStatus.FAILED, detail="the model rejected the session"
    )
    # The SDK's handshake carried no beta header.
    assert "openai-beta" not in r.server.connections[0].headers
    assert len(r.server.connections) == 1


async def test_bare_close_4000_is_fatal(rig: RigFactory) -> None:
    r = await rig(
        [[Send(wire.session_created()), Close(4000, "invalid_request_error.invalid_model")]]
    )
    await asyncio.wait_for(r.bridge.finished.wait(), 5)
    (error,) = r.events.of(EventType.ERROR)
    assert error.code == "model_closed_4000" and not error.retryable
    assert len(r.server.connections) == 1


async def test_session_expiry_close_1001_reconnects_and_reseeds_without_duplicates(
    rig: RigFactory,
) -> None:
    first = [
        *opening(),
        Send(
            *wire.user_turn(U1, A0, 3000), wire.transcription_completed(U1, "My ankle is swollen.")
        ),
        Expect("response.create"),
        # The reply starts, then the service ends the session mid-sentence.
        Send(
            wire.response_created("resp_2"),
            *wire.assistant_start("resp_2", A1, U1),
            wire.transcript_delta("resp_2", A1, "Did you"),
            wire.audio_delta("resp_2", A1),
        ),
        Close(1001, "Your session hit the maximum duration of 60 minutes."),
    ]
    second = [
        Send(wire.session_created("sess_T2")),
        Expect("session.update"),
        Send(wire.session_updated("sess_T2")),
        Expect("response.create"),  # the interrupted reply, asked for again
        spoken("resp_3", A2, None, "Did you twist it?"),
    ]
    agent = ScriptedAgent([turn("Did you twist it?")])
    r = await rig([first, second], agent)
    await r.events.wait_for(lambda ev: ("agent", A2, "Did you twist it?") in finals(ev))
    assert len(r.server.connections) == 2
    second_update = r.server.connections[1].of("session.update")[0]["session"]
    assert "Utterances so far: 1." in second_update["instructions"]  # re-seeded from the agent
    (recreate,) = r.server.connections[1].of("response.create")
    assert "Did you twist it?" in recreate["response"]["instructions"]
    assert finals(r.events) == [
        ("agent", A0, GREETING),
        ("patient", U1, "My ankle is swollen."),
        ("agent", A2, "Did you twist it?"),
    ]
    assert agent.utterances == [(U1, "My ankle is swollen.")]  # asked once
    errors = r.events.of(EventType.ERROR)
    assert [(e.code, e.retryable) for e in errors] == [("model_connection_lost", True)]
    # The half-said reply was cut before it is said again from its start.
    assert r.playback.interrupts[-1].item_id == A1
    assert not r.bridge.finished.is_set()


async def test_network_drop_mid_session_reconnects_reseeds_and_buffers_audio(
    rig: RigFactory,
) -> None:
    first = [
        *opening(),
        Send(
            *wire.user_turn(U1, A0, 3000),
            wire.transcription_delta(U1, "I feel"),
            wire.transcription_completed(U1, "I feel short of breath."),
        ),
        Expect("response.create"),
        Send(
            wire.response_created("resp_2"),
            *wire.assistant_start("resp_2", A1, U1),
            wire.transcript_delta("resp_2", A1, "Since"),
        ),
        Drop(),  # no close frame: a network failure
    ]
    second = [
        Send(wire.session_created("sess_T2")),
        Expect("session.update"),
        Send(wire.session_updated("sess_T2")),
        Expect("response.create"),
        spoken("resp_3", A2, None, "Since when have you felt this?"),
        # A confused replay of an old final must not produce a second event.
        Send(wire.transcription_completed(U1, "I feel short of breath.")),
    ]
    agent = ScriptedAgent([turn("Since when have you felt this?")])
    r = await rig([first, second], agent, retry=QuickRetry(delay=0.5), reconnect_buffer_s=1.0)
    await r.events.wait_for(
        lambda ev: any(e.code == "model_connection_lost" for e in ev.of(EventType.ERROR))
    )
    for _ in range(50):  # 3 s of audio in 60 ms chunks, while offline
        await r.bridge.send_audio(b"\x00\x01" * 1440)
    await r.events.wait_for(
        lambda ev: ("agent", A2, "Since when have you felt this?") in finals(ev)
    )
    await asyncio.sleep(0.1)

    assert len(r.server.connections) == 2
    update = r.server.connections[1].of("session.update")[0]["session"]
    assert "Utterances so far: 1." in update["instructions"]  # re-seeded from agent state
    appended = sum(
        len(base64.b64decode(a["audio"]))
        for a in r.server.connections[1].of("input_audio_buffer.append")
    )
    assert 0 < appended <= 1.0 * 48_000  # only the newest second survived the outage
    dropped = [e for e in r.events.of(EventType.ERROR) if e.code == "audio_dropped"]
    assert len(dropped) == 1 and dropped[0].retryable
    assert finals(r.events) == [
        ("agent", A0, GREETING),
        ("patient", U1, "I feel short of breath."),
        ("agent", A2, "Since when have you felt this?"),
    ]
    patient_chunks = [
        c for c in r.events.of(EventType.TRANSCRIPT_CHUNK) if c.item_id == U1 and c.final
    ]
    assert len(patient_chunks) == 1
    assert agent.utterances == [(U1, "I feel short of breath.")]


async def test_reconnect_gives_up_after_the_policy_says_so(rig: RigFactory) -> None:
    r = await rig([[*opening(), Drop()]], retry=QuickRetry(attempts=0))
    await asyncio.wait_for(r.bridge.finished.wait(), 5)
    codes = [(e.code, e.retryable) for e in r.events.of(EventType.ERROR)]
    assert codes == [("model_connection_lost", True), ("model_reconnect_exhausted", False)]
    assert r.events.of(EventType.STATUS_UPDATE)[-1].status == SessionStatus.FAILED


async def test_typed_text_reaches_model_and_agent(rig: RigFactory) -> None:
    agent = ScriptedAgent([turn("Thanks. How old are you?")])
    script = [
        *opening(),
        Expect("conversation.item.create"),
        Expect("response.create"),
        spoken("resp_2", A1, "item_txt", "Thanks. How old are you?"),
    ]
    r = await rig([script], agent)
    await r.events.wait_for(lambda ev: ("agent", A0, GREETING) in finals(ev))
    item_id = await r.bridge.send_text("  I have a rash on my arm.  ")
    await r.events.wait_for(lambda ev: ("agent", A1, "Thanks. How old are you?") in finals(ev))
    (create,) = r.server.connections[0].of("conversation.item.create")
    assert create["item"]["id"] == item_id and len(item_id) <= 32
    assert create["item"]["content"] == [{"type": "input_text", "text": "I have a rash on my arm."}]
    assert agent.utterances == [(item_id, "I have a rash on my arm.")]
    assert ("patient", item_id, "I have a rash on my arm.") in finals(r.events)


async def test_garbage_from_the_model_is_reported_not_fatal(rig: RigFactory) -> None:
    script = [
        Send(wire.session_created()),
        Expect("session.update"),
        Send(
            {
                "type": "response.output_audio.delta",
                "response_id": "r",
                "item_id": "i",
                "delta": "%%%",
            }
        ),
        Send({"type": "something.new.from.the.future", "event_id": "event_F"}),
    ]
    r = await rig([script])
    await r.events.wait_for(lambda ev: bool(ev.of(EventType.ERROR)))
    (error,) = r.events.of(EventType.ERROR)
    assert error.code == "model_protocol_error" and error.retryable
    assert not r.bridge.finished.is_set()


async def test_aclose_stops_everything_and_flushes_events(rig: RigFactory) -> None:
    r = await rig([opening()])
    await r.events.wait_for(lambda ev: ("agent", A0, GREETING) in finals(ev))
    before = {t.get_name() for t in asyncio.all_tasks()}
    await asyncio.wait_for(r.bridge.aclose(), 5)
    assert r.bridge.finished.is_set()
    after = {t.get_name() for t in asyncio.all_tasks()}
    assert not {n for n in after if n.startswith("realtime-")}
    assert {n for n in before if n.startswith("realtime-")}
    assert [type(e) for e in r.events.of(EventType.TRANSCRIPT_CHUNK)][:1] == [TranscriptChunk]


class ShiftedClock:
    """Monotonic time that a test can fast-forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


async def test_rotation_before_the_session_cap_happens_at_a_quiet_moment(rig: RigFactory) -> None:
    clock = ShiftedClock()
    second = [
        Send(wire.session_created("sess_T2")),
        Expect("session.update"),
        Send(wire.session_updated("sess_T2")),
    ]
    r = await rig([opening(), second], clock=clock, rotate_after_s=25 * 60)
    await r.events.wait_for(lambda ev: ("agent", A0, GREETING) in finals(ev))
    r.playback.playing = True  # the greeting is still being heard: not a quiet moment
    clock.offset = 26 * 60
    await asyncio.sleep(0.3)
    assert len(r.server.connections) == 1
    r.playback.playing = False
    await r.server.wait_for_event(1, "session.update")
    assert r.agent.instructions_calls == 2  # re-seeded from the agent
    assert r.events.of(EventType.ERROR) == []  # a planned rotation is not an error
    assert r.server.connections[1].of("response.create") == []  # nothing was pending
    assert finals(r.events) == [("agent", A0, GREETING)]


async def test_handshake_refused_with_401_is_fatal_without_retries() -> None:
    server = await ReplayServer([], reject_status=401).start()
    events, retry = MemoryEvents(), QuickRetry()
    bridge = RealtimeBridge(
        settings=RealtimeSettings(websocket_base_url=server.ws_base),
        session_id="s-401",
        language="en",
        agent=ScriptedAgent([]),
        playback=MemoryPlayback(),
        events=events,
        retry_policy=retry,
    )
    try:
        await asyncio.wait_for(bridge.start(), 5)
        await asyncio.wait_for(bridge.finished.wait(), 5)
        (error,) = events.of(EventType.ERROR)
        assert error.code == "http_401" and not error.retryable
        assert len(server.connections) == 1 and retry.asked == []
    finally:
        await bridge.aclose()
        await server.aclose()


async def test_no_patient_text_reaches_the_logs(
    rig: RigFactory, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "my husband hit me yesterday"
    agent = ScriptedAgent([turn("Thank you for telling me.")])
    script = [
        *opening(),
        Send(*wire.user_turn(U1, A0, 3000), wire.transcription_completed(U1, secret)),
        Send(wire.error("invalid_value", f"Invalid value: '{secret}'")),
        Send({"type": "conversation.item.input_audio_transcription.completed", "item_id": 5}),
        Expect("response.create"),
        Drop(),
    ]
    with caplog.at_level(logging.DEBUG, logger="media_host"):
        r = await rig([script, opening()], agent)
        await r.events.wait_for(lambda ev: ("patient", U1, secret) in finals(ev))
        await r.server.wait_for_connections(2)
        await r.bridge.aclose()
    assert caplog.records  # the bridge did log
    assert secret not in caplog.text
    assert "husband" not in caplog.text
    assert ip_addresses_in(caplog.text) == []  # not even the engine's loopback address
    # The model's error message (which echoed patient text) was not forwarded either.
    assert all(secret not in e.message for e in r.events.of(EventType.ERROR))


async def test_aclose_releases_held_transcripts_and_refuses_more_input(rig: RigFactory) -> None:
    script = [
        *opening(),
        Send(*wire.user_turn(U1, A0, 3000)),  # its transcription never comes
        Send(
            wire.response_created("resp_x"),
            *wire.assistant_start("resp_x", A1, U1),
            *wire.assistant_end("resp_x", A1, U1, "Go on."),
        ),
    ]
    r = await rig([script])
    await r.server.wait_for_connections(1)
    await asyncio.sleep(0.3)
    assert finals(r.events) == [("agent", A0, GREETING)]  # A1 waits for U1 (conversation order)
    await r.bridge.aclose()
    assert finals(r.events) == [("agent", A0, GREETING), ("agent", A1, "Go on.")]
    with pytest.raises(SessionClosedError):
        await r.bridge.send_text("hello?")


class DurableEvents(MemoryEvents):
    """An event sink with a durable store behind it that can be down (raises on flush)."""

    def __init__(self, *, failing_flushes: int = 0) -> None:
        super().__init__()
        self.failing_flushes = failing_flushes
        self.stored: list = []

    async def flush(self) -> None:
        if self.failing_flushes > 0:
            self.failing_flushes -= 1
            raise StorageError("storage is down")
        self.stored = list(self.events)


class FlakyAgent(ScriptedAgent):
    """Fails its first `failures` turns (as storage would), or every turn; remembers whether
    each utterance's final transcript was durably stored when it was asked to act."""

    def __init__(self, turns, events: DurableEvents, *, failures: int, applied: bool = False):
        super().__init__(turns)
        self.events = events
        self.failures = failures
        self.applied = applied  # fail by returning a turn marked failed (agent caught it)
        self.durable_when_asked: list[bool] = []

    async def handle_utterance(self, session_id: str, *, item_id: str, text: str):
        self.durable_when_asked.append(
            any(
                isinstance(e.data, TranscriptChunk) and e.data.final and e.data.item_id == item_id
                for e in self.events.stored
            )
        )
        if self.failures != 0:
            self.failures -= 1
            if self.applied:
                return AgentTurn(reply=reply("Sorry, I had a problem."), failed=True)
            raise ConnectionError("storage unreachable")
        return await super().handle_utterance(session_id, item_id=item_id, text=text)


@pytest.mark.parametrize("applied", [False, True])
async def test_a_turn_failing_on_storage_is_retried_from_the_durable_transcript(
    rig: RigFactory, applied: bool
) -> None:
    events = DurableEvents(failing_flushes=1)
    agent = FlakyAgent([turn("Since when?")], events, failures=1, applied=applied)
    script = [
        *opening(),
        Send(*wire.user_turn(U1, A0, 3000), wire.transcription_completed(U1, "A headache.")),
        Expect("response.create", timeout=30),
        spoken("resp_2", A1, U1, "Since when?"),
    ]
    r = await rig([script], agent, events=events)
    await r.events.wait_for(lambda ev: ("agent", A1, "Since when?") in finals(ev), timeout=30)
    # A failed flush (agent not asked), a failed turn, then the answer: the agent never acted
    # before the transcript was stored, and the patient heard no "please repeat".
    assert agent.durable_when_asked == [True, True]
    assert agent.utterances == [(U1, "A headache.")]
    assert r.events.of(EventType.ERROR) == []
    (create,) = r.server.connections[0].of("response.create")[1:]
    assert "Since when?" in create["response"]["instructions"]


async def test_a_turn_failing_past_the_budget_asks_the_patient_to_repeat(rig: RigFactory) -> None:
    events = DurableEvents()
    agent = FlakyAgent([], events, failures=-1)
    script = [
        *opening(),
        Send(*wire.user_turn(U1, A0, 3000), wire.transcription_completed(U1, "A headache.")),
        Expect("response.create", timeout=30),
        spoken("resp_2", A1, U1, NOT_CAUGHT),
    ]
    r = await rig([script], agent, events=events, agent_retry_budget_s=1.0)
    await r.events.wait_for(lambda ev: ("agent", A1, NOT_CAUGHT) in finals(ev), timeout=30)
    assert len(agent.durable_when_asked) >= 2  # retried within the budget
    (create,) = r.server.connections[0].of("response.create")[1:]
    assert f'"""\n{NOT_CAUGHT}\n"""' in create["response"]["instructions"]
    errors = r.events.of(EventType.ERROR)
    assert [e.code for e in errors] == ["agent_error"]


async def test_answer_lost_with_a_dropped_connection_gets_the_question_asked_again(
    rig: RigFactory,
) -> None:
    first = [
        *opening(),
        # The patient answers; the connection drops before the answer is transcribed.
        Send(*wire.user_turn(U1, A0, 3000)),
        Drop(),
    ]
    second = [
        Send(wire.session_created("sess_T2")),
        Expect("session.update"),
        Send(wire.session_updated("sess_T2")),
        Expect("response.create"),
        spoken("resp_3", A2, None, f"{LINE_DROPPED} {GREETING}"),
    ]
    r = await rig([first, second])
    await r.events.wait_for(
        lambda ev: ("agent", A2, f"{LINE_DROPPED} {GREETING}") in finals(ev), timeout=10
    )
    (create,) = r.server.connections[1].of("response.create")
    assert f"{LINE_DROPPED} {GREETING}" in create["response"]["instructions"]
    assert create["response"]["metadata"] == {"purpose": "repeat"}


class FlakyFinishAgent(ScriptedAgent):
    """Ends the interview without a summary in the turn; finish() fails once (storage)."""

    def __init__(self) -> None:
        super().__init__([AgentTurn(reply=reply("Thank you, goodbye.", end=True))])
        self.finish_calls = 0

    async def finish(self, session_id: str):
        self.finish_calls += 1
        if self.finish_calls == 1:
            raise ConnectionError("storage unreachable")
        return await super().finish(session_id)


async def test_a_summary_failing_on_storage_is_retried(rig: RigFactory) -> None:
    agent = FlakyFinishAgent()
    script = [
        *opening(),
        Send(*wire.user_turn(U1, A0, 3000), wire.transcription_completed(U1, "That's all.")),
        Expect("response.create"),
        spoken("resp_2", A1, U1, "Thank you, goodbye."),
    ]
    r = await rig([script], agent)
    await asyncio.wait_for(r.bridge.finished.wait(), 30)
    assert agent.finish_calls == 2
    assert len(r.events.of(EventType.SYMPTOM_COMPLETE)) == 1
    assert r.events.of(EventType.STATUS_UPDATE)[-1].status == SessionStatus.COMPLETED


async def test_a_failing_tick_does_not_stop_turn_taking(rig: RigFactory) -> None:
    """``listening`` comes only from the tick; one tick raising used to end the ticker for the
    rest of the call: the agent kept speaking but never said ``listening`` again (an e2e client
    waiting for its turn timed out) and the closing summary could never be emitted."""
    r = await rig([opening()], start=False)
    on_tick, failed = r.bridge._logic.on_tick, []

    def flaky_tick(now: float, *, playing: bool) -> list:
        if not failed:
            failed.append(now)
            raise RuntimeError("one bad tick")
        return on_tick(now, playing=playing)

    r.bridge._logic.on_tick = flaky_tick  # type: ignore[method-assign]
    await r.bridge.start()
    await r.events.wait_for(
        lambda ev: SessionStatus.LISTENING in [s.status for s in ev.of(EventType.STATUS_UPDATE)]
    )
    assert failed and not r.bridge.finished.is_set()


async def test_a_tick_failing_for_good_fails_the_session_visibly(rig: RigFactory) -> None:
    r = await rig([opening()], start=False)

    def broken_tick(now: float, *, playing: bool) -> list:
        raise RuntimeError("broken")

    r.bridge._logic.on_tick = broken_tick  # type: ignore[method-assign]
    await r.bridge.start()
    await asyncio.wait_for(r.bridge.finished.wait(), 10)
    assert r.events.of(EventType.STATUS_UPDATE)[-1].status == SessionStatus.FAILED
