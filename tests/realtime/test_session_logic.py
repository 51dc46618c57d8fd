"""Unit tests of the pure session logic: server events + local inputs in, commands out."""

from __future__ import annotations

import pytest

from media_host.audio_io import PlaybackCut
from media_host.intake_agent.models import AgentTurn
from media_host.realtime.session_logic import (
    EndSession,
    FetchSummary,
    PlayAudio,
    StopPlayback,
)
from shared.events import (
    BargeIn,
    ErrorEvent,
    RedFlag,
    SessionStatus,
    StatusUpdate,
    SymptomComplete,
    TranscriptChunk,
)
from tests.realtime import wire
from tests.realtime.fakes import LINE_DROPPED, NOT_CAUGHT, red_flag, reply, summary, turn
from tests.realtime.harness import LogicHarness, asked, emitted, sent

U1, A1, U2, A2 = "item_U1", "item_A1", "item_U2", "item_A2"


def finals(cmds: list) -> list[tuple[str, str, str]]:
    return [(c.role, c.item_id, c.text) for c in emitted(cmds, TranscriptChunk) if c.final]


def started(h: LogicHarness, response_id: str = "resp_1") -> None:
    """Greeting asked for and the response created."""
    h.connect()
    h.run(h.logic.on_greeting(reply("Hello, what brings you in today?"), h.now))
    h.feed(wire.response_created(response_id))


def test_greeting_becomes_response_create_with_the_exact_sentence() -> None:
    h = LogicHarness()
    h.connect()
    out = h.run(h.logic.on_greeting(reply("Hello, what brings you in today?"), h.now))
    (create,) = sent(out, "response.create")
    instructions = create["response"]["instructions"]
    assert "Hello, what brings you in today?" in instructions
    assert "Warm, brief, one question." in instructions
    assert create["response"]["metadata"] == {"purpose": "greeting"}
    assert create["response"]["output_modalities"] == ["audio"]


def test_nothing_is_sent_before_the_connection_is_configured() -> None:
    h = LogicHarness()
    assert sent(h.run(h.logic.on_greeting(reply("Hi"), h.now))) == []
    assert len(sent(h.connect(), "response.create")) == 1


def test_transcripts_follow_conversation_order_not_arrival() -> None:
    h = LogicHarness()
    started(h)
    h.feed(*wire.assistant_end("resp_1", "item_G", U1, "Hello, what brings you in today?"))
    out = h.feed(*wire.user_turn(U1, "item_G", 1000))
    # The model answered (its own VAD response) before the input transcription completed.
    out += h.feed(wire.response_created("resp_2"), *wire.assistant_start("resp_2", A1, U1))
    out += h.feed(*wire.assistant_end("resp_2", A1, U1, "I am sorry to hear that."))
    assert ("agent", A1, "I am sorry to hear that.") not in finals(out)  # held for U1
    out = h.feed(wire.transcription_completed(U1, "I have a headache."))
    assert finals(out) == [
        ("patient", U1, "I have a headache."),
        ("agent", A1, "I am sorry to hear that."),
    ]
    assert asked(out) == [(U1, "I have a headache.")]


def test_final_transcript_is_released_exactly_once() -> None:
    h = LogicHarness()
    h.connect()
    h.feed(*wire.user_turn(U1, None, 500))
    first = h.feed(wire.transcription_completed(U1, "My knee hurts."))
    again = h.feed(wire.transcription_completed(U1, "My knee hurts."))
    assert len(finals(first)) == 1 and asked(first) == [(U1, "My knee hurts.")]
    assert finals(again) == [] and asked(again) == []


def test_deltas_are_coalesced_per_batch_and_dropped_after_the_final() -> None:
    h = LogicHarness(transcript_batch_ms=200)
    h.connect()
    h.feed(*wire.user_turn(U1, None, 500))
    out = []
    for t, piece in ((0.0, "My"), (0.05, " back"), (0.1, " hurts")):
        h.now = t
        out += h.feed(wire.transcription_delta(U1, piece))
    assert emitted(out, TranscriptChunk) == []
    h.now = 0.25
    out = h.tick()
    assert [(c.text, c.final) for c in emitted(out, TranscriptChunk)] == [("My back hurts", False)]
    h.feed(wire.transcription_delta(U1, " a lot"))
    out = h.feed(wire.transcription_completed(U1, "My back hurts a lot."))
    h.now = 1.0
    out += h.feed(wire.transcription_delta(U1, " late")) + h.tick()
    assert [(c.text, c.final) for c in emitted(out, TranscriptChunk)] == [
        ("My back hurts a lot.", True)
    ]


def test_an_overdue_transcript_stops_holding_the_queue_and_is_released_late() -> None:
    h = LogicHarness(transcript_wait_s=10)
    started(h)
    h.feed(*wire.user_turn(U1, None, 500))
    h.feed(*wire.assistant_start("resp_1", A1, U1))
    out = h.feed(*wire.assistant_end("resp_1", A1, U1, "Tell me more."))
    assert finals(out) == []
    h.now = 11.0
    assert finals(h.tick()) == [("agent", A1, "Tell me more.")]
    out = h.feed(wire.transcription_completed(U1, "I feel dizzy."))
    assert finals(out) == [("patient", U1, "I feel dizzy.")]
    assert asked(out) == [(U1, "I feel dizzy.")]


def _speaking(h: LogicHarness, n_deltas: int = 5) -> list:
    started(h)
    out = h.feed(*wire.assistant_start("resp_1", A1, "item_x"))
    for _ in range(n_deltas):
        out += h.feed(wire.audio_delta("resp_1", A1))  # 40 ms each
    h.playing = True
    return out


def test_audio_is_played_and_status_goes_agent_speaking() -> None:
    h = LogicHarness()
    out = _speaking(h, 3)
    assert [c.item_id for c in out if isinstance(c, PlayAudio)] == [A1] * 3
    assert [s.status for s in emitted(out, StatusUpdate)] == [SessionStatus.AGENT_SPEAKING]


def test_barge_in_truncates_at_the_played_ms_and_cancels_the_active_response() -> None:
    h = LogicHarness()
    _speaking(h, 5)  # 200 ms received
    h.cut = PlaybackCut(item_id=A1, played_ms=120, received_ms=200)
    out = h.feed(wire.speech_started(U2, 16_480))
    assert any(isinstance(c, StopPlayback) and c.reason == "barge_in" for c in out)
    assert sent(out, "conversation.item.truncate") == [
        {
            "type": "conversation.item.truncate",
            "item_id": A1,
            "content_index": 0,
            "audio_end_ms": 120,
        }
    ]
    assert len(sent(out, "response.cancel")) == 1
    assert emitted(out, BargeIn) == [BargeIn(item_id=A1, played_ms=120)]
    assert [s.status for s in emitted(out, StatusUpdate)] == [SessionStatus.LISTENING]
    # The cancelled response keeps streaming until response.done: none of it is played.
    late = h.feed(wire.audio_delta("resp_1", A1), wire.transcript_delta("resp_1", A1, " more"))
    assert not [c for c in late if isinstance(c, PlayAudio)]
    assert emitted(late) == []


def test_truncate_is_clamped_to_the_audio_received_for_the_item() -> None:
    h = LogicHarness()
    _speaking(h, 5)  # 200 ms received by us
    h.cut = PlaybackCut(item_id=A1, played_ms=950, received_ms=1000)  # sink over-reports
    out = h.feed(wire.speech_started(U2, 9_000))
    (trunc,) = sent(out, "conversation.item.truncate")
    assert trunc["audio_end_ms"] == 200
    assert emitted(out, BargeIn)[0].played_ms == 200


def test_barge_in_after_response_done_truncates_without_cancel() -> None:
    h = LogicHarness()
    _speaking(h, 5)
    h.feed(*wire.assistant_end("resp_1", A1, "item_x", "Please describe the pain."))
    h.cut = PlaybackCut(item_id=A1, played_ms=80, received_ms=200)
    out = h.feed(wire.speech_started(U2, 20_000))
    assert sent(out, "response.cancel") == []
    assert sent(out, "conversation.item.truncate")[0]["audio_end_ms"] == 80


def test_speech_while_nothing_plays_is_not_a_barge_in() -> None:
    h = LogicHarness()
    h.connect()
    out = h.feed(wire.speech_started(U1, 100))
    assert out == []


def test_cancel_not_active_error_is_benign() -> None:
    h = LogicHarness()
    h.connect()
    out = h.feed(
        wire.error("response_cancel_not_active", "Cancellation failed: no active response found")
    )
    assert out == []


@pytest.mark.parametrize(
    "status,reason",
    [("cancelled", "turn_detected"), ("incomplete", "max_output_tokens"), ("completed", None)],
)
def test_response_done_always_frees_the_slot_for_the_next_reply(
    status: str, reason: str | None
) -> None:
    h = LogicHarness()
    started(h)
    h.feed(*wire.user_turn(U1, None, 500))
    out = h.run(h.logic.on_agent_turn(turn("How long has it hurt?"), h.now))
    assert sent(out, "response.create") == []  # one response at a time
    details = None if reason is None else {"type": status, "reason": reason}
    out = h.feed(wire.response_done("resp_1", status, details))
    (create,) = sent(out, "response.create")
    assert "How long has it hurt?" in create["response"]["instructions"]
    assert not h.logic.has_active_response


def test_red_flag_preempts_the_current_response_and_speaks_the_advice() -> None:
    h = LogicHarness()
    _speaking(h, 3)
    h.cut = PlaybackCut(item_id=A1, played_ms=40, received_ms=120)
    flag = red_flag("Call an ambulance now; do not drive yourself.")
    out = h.run(h.logic.on_agent_turn(turn("Does it spread to your arm?", flags=(flag,)), h.now))
    assert emitted(out, RedFlag) == [
        RedFlag(
            rule_id="chest_pain_acs",
            level="emergency",
            title="Possible heart attack",
            advice="Call an ambulance now; do not drive yourself.",
        )
    ]
    assert len(sent(out, "response.cancel")) == 1
    assert sent(out, "conversation.item.truncate")[0]["audio_end_ms"] == 40
    assert emitted(out, BargeIn) == []  # not the patient's doing
    assert sent(out, "response.create") == []  # the slot frees on response.done
    out = h.feed(
        wire.response_done(
            "resp_1", "cancelled", {"type": "cancelled", "reason": "client_cancelled"}
        )
    )
    (create,) = sent(out, "response.create")
    instructions = create["response"]["instructions"]
    assert instructions.index("Call an ambulance now") < instructions.index("Does it spread")
    assert create["response"]["metadata"] == {"purpose": "red_flag"}


def test_red_flag_while_a_create_is_in_flight_cancels_it_on_creation() -> None:
    h = LogicHarness()
    h.connect()
    h.run(h.logic.on_greeting(reply("Hello"), h.now))  # response.create sent, not yet created
    h.run(h.logic.on_agent_turn(turn("Next?", flags=(red_flag(),)), h.now))
    out = h.feed(wire.response_created("resp_9"))
    assert len(sent(out, "response.cancel")) == 1
    assert not [c for c in h.feed(wire.audio_delta("resp_9", A1)) if isinstance(c, PlayAudio)]


@pytest.mark.parametrize(
    "code,retryable,fails",
    [
        ("invalid_api_key", False, True),
        ("beta_api_shape_disabled", False, True),
        ("rate_limit_exceeded", True, False),
        ("unknown_parameter", False, False),
    ],
)
def test_error_events_are_classified(code: str, retryable: bool, fails: bool) -> None:
    h = LogicHarness()
    h.connect()
    error_type = "server_error" if retryable else "invalid_request_error"
    out = h.feed(wire.error(code, "details that must not be forwarded", error_type=error_type))
    (err,) = emitted(out, ErrorEvent)
    assert err.retryable is retryable
    assert err.code == f"model_{code}"
    assert "must not be forwarded" not in err.message
    assert any(isinstance(c, EndSession) for c in out) is fails
    if fails:
        assert emitted(out, StatusUpdate)[-1].status == SessionStatus.FAILED
        assert h.logic.finished


def test_truncate_overshoot_error_is_benign() -> None:
    h = LogicHarness()
    h.connect()
    out = h.feed(wire.error(None, "Audio content of 9800ms is already shorter than 11579ms"))
    assert out == []


def test_active_response_conflict_requeues_the_reply() -> None:
    h = LogicHarness()
    h.connect()
    h.run(h.logic.on_greeting(reply("Hello"), h.now))
    h.feed(
        wire.error(
            "conversation_already_has_active_response",
            "Conversation already has an active response in progress: resp_Z.",
        )
    )
    h.feed(wire.response_created("resp_Z"))  # the one the server had running
    out = h.feed(wire.response_done("resp_Z", "completed", None))
    assert len(sent(out, "response.create")) == 1


def test_failed_response_is_reported_and_retried_after_a_delay() -> None:
    h = LogicHarness(retry_delay_s=2.0)
    started(h)
    details = {
        "type": "failed",
        "error": {
            "type": "tokens",
            "code": "rate_limit_exceeded",
            "message": "Rate limit reached. Please try again in 1.2s.",
        },
    }
    out = h.feed(wire.response_done("resp_1", "failed", details))
    (err,) = emitted(out, ErrorEvent)
    assert err.retryable and err.code == "response_failed_rate_limit_exceeded"
    assert sent(out, "response.create") == []
    h.now = 2.5
    assert len(sent(h.tick(), "response.create")) == 1


def test_a_function_call_from_the_model_is_ignored() -> None:
    """No tools are offered, so a function call is not ours to answer: nothing is sent back."""
    h = LogicHarness()
    started(h)
    out = h.feed(
        *wire.function_call_turn(
            "resp_1", "item_fc", "item_u", "call_A1", "lookup_clinic_hours", '{"day": "monday"}'
        )[:5]
    )
    assert sent(out, "conversation.item.create") == []


def test_closing_sentence_spoken_then_symptom_complete_and_completed() -> None:
    h = LogicHarness()
    started(h)
    h.feed(wire.response_done("resp_1", "completed", None))
    out = h.run(
        h.logic.on_agent_turn(turn("Thank you, that is everything.", done=summary("s1")), h.now)
    )
    assert len(sent(out, "response.create")) == 1
    h.feed(
        wire.response_created("resp_2"),
        *wire.assistant_start("resp_2", A2, "item_x"),
        wire.audio_delta("resp_2", A2),
    )
    h.feed(*wire.assistant_end("resp_2", A2, "item_x", "Thank you, that is everything."))
    assert emitted(h.tick(playing=True), SymptomComplete) == []  # still being heard
    out = h.tick(playing=False)
    (done,) = emitted(out, SymptomComplete)
    assert done.summary["chief_complaint"] == "headache"
    assert done.summary["completed_at"] == "2026-11-24T12:00:00Z"
    assert [s.status for s in emitted(out, StatusUpdate)] == [
        SessionStatus.LISTENING,
        SessionStatus.COMPLETED,
    ]
    assert any(isinstance(c, EndSession) for c in out)


def test_end_of_interview_without_summary_fetches_it() -> None:
    h = LogicHarness()
    started(h)
    h.feed(wire.response_done("resp_1", "completed", None))
    h.run(h.logic.on_agent_turn(AgentTurn(reply=reply("Goodbye.", end=True)), h.now))
    h.feed(wire.response_created("resp_2"), wire.response_done("resp_2", "completed", None))
    out = h.tick(playing=False)
    assert any(isinstance(c, FetchSummary) for c in out)
    assert emitted(out, SymptomComplete) == []
    out = h.run(h.logic.on_summary(summary().model_dump(mode="json"), h.now))
    assert len(emitted(out, SymptomComplete)) == 1
    assert any(isinstance(c, EndSession) for c in out)


def test_disconnect_mid_reply_stops_playback_and_reissues_it_after_reconnect() -> None:
    h = LogicHarness()
    _speaking(h, 2)
    out = h.run(h.logic.on_disconnected(h.now, unexpected=True))
    assert any(isinstance(c, StopPlayback) and c.reason == "reconnect" for c in out)
    assert sent(out) == []  # nothing can be sent while offline
    assert emitted(out, ErrorEvent)[0].code == "model_connection_lost"
    out = h.connect()
    (create,) = sent(out, "response.create")
    assert "Hello, what brings you in today?" in create["response"]["instructions"]


def test_typed_text_goes_to_model_and_agent_once() -> None:
    h = LogicHarness()
    h.connect()
    out = h.run(h.logic.on_typed_text("item_txt1", "I cannot talk, I have a sore throat.", h.now))
    (create,) = sent(out, "conversation.item.create")
    assert create["item"]["id"] == "item_txt1"
    assert create["item"]["content"] == [
        {"type": "input_text", "text": "I cannot talk, I have a sore throat."}
    ]
    assert finals(out) == [("patient", "item_txt1", "I cannot talk, I have a sore throat.")]
    assert asked(out) == [("item_txt1", "I cannot talk, I have a sore throat.")]
    echo = {
        "type": "conversation.item.added",
        "event_id": "event_echo",
        "previous_item_id": None,
        "item": {
            "id": "item_txt1",
            "type": "message",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_text", "text": "I cannot talk, I have a sore throat."}],
        },
    }
    assert h.feed(echo) == []


def test_garbage_frames_become_protocol_errors_without_crashing() -> None:
    h = LogicHarness()
    h.connect()
    from media_host.realtime.events import parse_server_event

    out = []
    for frame in [
        "not json",
        "[1,2]",
        '{"no":"type"}',
        '{"type":"response.output_audio.delta","delta":"@@@"}',
    ] * 3:
        out += h.run(h.logic.on_server_event(parse_server_event(frame), h.now))
    errors = emitted(out, ErrorEvent)
    assert len(errors) == 5 and all(
        e.code == "model_protocol_error" and e.retryable for e in errors
    )


def test_rate_limits_are_recorded() -> None:
    h = LogicHarness()
    h.connect()
    assert h.feed(wire.rate_limits(remaining=1234)) == []
    assert h.logic.rate_limits[0].remaining == 1234


def test_audio_queued_behind_the_playing_item_is_truncated_to_zero() -> None:
    h = LogicHarness()
    _speaking(h, 3)  # A1: 120 ms received
    h.feed(*wire.assistant_end("resp_1", A1, "item_x", "First part."))
    h.run(h.logic.on_agent_turn(turn("Second part?"), h.now))
    h.feed(wire.response_created("resp_2"), *wire.assistant_start("resp_2", A2, A1))
    h.feed(wire.audio_delta("resp_2", A2))  # queued behind A1 in the playback buffer
    h.cut = PlaybackCut(item_id=A1, played_ms=80, received_ms=120)
    h.playing = True
    out = h.feed(wire.speech_started(U2, 30_000))
    assert [(t["item_id"], t["audio_end_ms"]) for t in sent(out, "conversation.item.truncate")] == [
        (A1, 80),
        (A2, 0),
    ]


def test_a_blank_utterance_after_a_barge_in_repeats_the_cut_off_question() -> None:
    h = LogicHarness()
    _speaking(h, 3)
    h.cut = PlaybackCut(item_id=A1, played_ms=40, received_ms=120)
    h.feed(wire.speech_started(U2, 5_000))
    h.feed(
        wire.response_done("resp_1", "cancelled", {"type": "cancelled", "reason": "turn_detected"})
    )
    h.feed(wire.committed(U2, A1))
    out = h.feed(wire.transcription_completed(U2, "  "))
    assert asked(out) == []  # nothing for the agent
    (create,) = sent(out, "response.create")
    assert "Hello, what brings you in today?" in create["response"]["instructions"]


def test_a_newer_answer_supersedes_one_not_yet_spoken() -> None:
    h = LogicHarness()
    started(h)  # resp_1 occupies the slot
    h.run(h.logic.on_agent_turn(turn("Where is the pain?"), h.now))
    h.run(h.logic.on_agent_turn(turn("How long have you had it?"), h.now))
    out = h.feed(wire.response_done("resp_1", "completed", None))
    (create,) = sent(out, "response.create")
    assert "How long have you had it?" in create["response"]["instructions"]
    assert "Where is the pain?" not in create["response"]["instructions"]


# --- failures of the line: the agent's own sentences, the gap, the reconnect re-ask ------------


def test_agent_failure_speaks_the_agents_sentence_and_marks_the_gap() -> None:
    h = LogicHarness()
    started(h)
    h.feed(*wire.assistant_end("resp_1", "item_G", None, "Hello, what brings you in today?"))
    out = h.feed(*wire.user_turn(U1, "item_G", 1000), wire.transcription_completed(U1, "Chest."))
    assert asked(out) == [(U1, "Chest.")]
    out = h.run(h.logic.on_agent_failed(U1, h.now))
    (create,) = sent(out, "response.create")
    instructions = create["response"]["instructions"]
    # What a model without language understanding would speak: a sentence for the patient,
    # quoted, never an instruction addressed to the model on its own.
    assert f'"""\n{NOT_CAUGHT}\n"""' in instructions
    assert "You did not catch" not in instructions
    assert emitted(out, ErrorEvent)[0].code == "agent_error"
    # The interview then ends with a confirmed read-back: the summary still shows the gap.
    h.feed(wire.response_created("resp_2"), wire.response_done("resp_2", "completed", None))
    confirmed = summary().model_copy(update={"confirmed_by_patient": True})
    h.run(h.logic.on_agent_turn(turn("Goodbye.", done=confirmed), h.now))
    h.feed(wire.response_created("resp_3"), wire.response_done("resp_3", "completed", None))
    (complete,) = emitted(h.tick(playing=False), SymptomComplete)
    assert complete.summary["unprocessed_utterances"] == [U1]
    assert complete.summary["confirmed_by_patient"] is None


def test_summary_without_a_gap_is_passed_unchanged() -> None:
    h = LogicHarness()
    started(h)
    h.feed(wire.response_done("resp_1", "completed", None))
    confirmed = summary().model_copy(update={"confirmed_by_patient": True})
    h.run(h.logic.on_agent_turn(turn("Goodbye.", done=confirmed), h.now))
    h.feed(wire.response_created("resp_2"), wire.response_done("resp_2", "completed", None))
    (complete,) = emitted(h.tick(playing=False), SymptomComplete)
    assert complete.summary == confirmed.model_dump(mode="json")
    assert complete.summary["unprocessed_utterances"] == []


def test_failed_transcription_asks_with_the_agents_sentence() -> None:
    h = LogicHarness()
    started(h)
    h.feed(wire.response_done("resp_1", "completed", None))
    out = h.feed(*wire.user_turn(U1, "item_G", 1000), wire.transcription_failed(U1))
    (create,) = sent(out, "response.create")
    assert NOT_CAUGHT in create["response"]["instructions"]
    assert create["response"]["metadata"] == {"purpose": "repeat"}


def test_reconnect_with_nothing_to_say_asks_the_last_question_again() -> None:
    h = LogicHarness()
    started(h)
    h.feed(*wire.assistant_end("resp_1", "item_G", None, "Hello, what brings you in today?"))
    h.tick(playing=False)
    # The patient answers; the connection drops before the answer is transcribed.
    h.feed(*wire.user_turn(U1, "item_G", 1000))
    h.run(h.logic.on_disconnected(h.now, unexpected=True))
    out = h.connect()
    (create,) = sent(out, "response.create")
    instructions = create["response"]["instructions"]
    assert f"{LINE_DROPPED} Hello, what brings you in today?" in instructions
    assert create["response"]["metadata"] == {"purpose": "repeat"}


def test_reconnect_while_the_agent_is_answering_waits_for_its_answer() -> None:
    h = LogicHarness()
    started(h)
    h.feed(wire.response_done("resp_1", "completed", None))
    h.feed(*wire.user_turn(U1, "item_G", 1000), wire.transcription_completed(U1, "A headache."))
    h.run(h.logic.on_disconnected(h.now, unexpected=True))
    assert sent(h.connect(), "response.create") == []  # the agent's answer is on its way
    out = h.run(h.logic.on_agent_turn(turn("Since when?"), h.now))
    (create,) = sent(out, "response.create")
    assert "Since when?" in create["response"]["instructions"]
    assert LINE_DROPPED not in create["response"]["instructions"]


def test_rotation_does_not_repeat_anything() -> None:
    h = LogicHarness()
    started(h)
    h.feed(wire.response_done("resp_1", "completed", None))
    h.run(h.logic.on_disconnected(h.now, unexpected=False))
    assert sent(h.connect(), "response.create") == []
