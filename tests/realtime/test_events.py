"""Wire formats: server event classification and client event builders."""

from __future__ import annotations

import json

import pytest

from media_host.realtime import events as ev
from media_host.realtime.errors import ErrorKind, classify_close, classify_error
from media_host.realtime.settings import RealtimeSettings, TurnDetectionSettings
from tests.realtime import wire


def parse(raw: dict) -> ev.ServerEvent:
    return ev.parse_server_event(json.dumps(raw))


def test_user_turn_events_carry_conversation_placement() -> None:
    started, stopped, committed, added, done = (
        parse(e) for e in wire.user_turn("item_u", "item_p", 1236)
    )
    assert started == ev.SpeechStarted("item_u", 1236)
    assert stopped == ev.SpeechStopped("item_u")
    assert committed == ev.ItemAdded("item_u", "item_p", "message", "user", ("input_audio",), None)
    assert isinstance(added, ev.ItemAdded) and added.previous_item_id == "item_p"
    assert isinstance(done, ev.ItemAdded) and done.role == "user"


def test_audio_delta_is_decoded_and_beta_name_accepted() -> None:
    delta = wire.audio_delta("resp_1", "item_a", b"\x01\x02\x03\x04")
    assert parse(delta) == ev.AudioDelta("resp_1", "item_a", b"\x01\x02\x03\x04")
    assert parse({**delta, "type": "response.audio.delta"}) == ev.AudioDelta(
        "resp_1", "item_a", b"\x01\x02\x03\x04"
    )


def test_response_done_reads_status_reason_and_failure() -> None:
    cancelled = parse(
        wire.response_done("resp_1", "cancelled", {"type": "cancelled", "reason": "turn_detected"})
    )
    assert isinstance(cancelled, ev.ResponseDone)
    assert (cancelled.status, cancelled.reason, cancelled.error_kind) == (
        "cancelled",
        "turn_detected",
        None,
    )
    failed = parse(
        wire.response_done(
            "resp_2",
            "failed",
            {
                "type": "failed",
                "error": {
                    "type": "invalid_request_error",
                    "code": "inference_not_authorized_error",
                    "message": "Missing scopes",
                },
            },
        )
    )
    assert isinstance(failed, ev.ResponseDone) and failed.error_kind is ErrorKind.PERMANENT


def test_text_output_and_function_call_events() -> None:
    text_done = {
        "type": "response.output_text.done",
        "event_id": "e1",
        "response_id": "r",
        "item_id": "i",
        "output_index": 0,
        "content_index": 0,
        "text": "Hi there, friend!",
    }
    assert parse(text_done) == ev.OutputTranscriptDone("r", "i", "Hi there, friend!")
    fc = wire.function_call_turn("r", "i_fc", "i_u", "call_1", "f", '{"a": 1}')
    # No tools are offered: a function call is not modelled (docs/realtime-bridge.md).
    assert parse(fc[4]) == ev.Ignored("response.function_call_arguments.done")


def test_error_event_is_classified_once() -> None:
    err = parse(wire.error("invalid_api_key", "Incorrect API key provided"))
    assert isinstance(err, ev.ServerError) and err.kind is ErrorKind.PERMANENT
    assert not hasattr(err, "message")  # never carried forward


@pytest.mark.parametrize(
    "frame,reason",
    [
        ("{", "frame is not JSON"),
        ("[]", "frame is not a JSON object"),
        ('{"type": 5}', "frame has no type"),
        ('{"type": "response.done"}', "response.done: response missing"),
        (
            '{"type": "input_audio_buffer.speech_started", "item_id": "x"}',
            "input_audio_buffer.speech_started: audio_start_ms missing",
        ),
        (
            '{"type": "response.output_audio.delta", "response_id": "r", "item_id": "i", '
            '"delta": "@@"}',
            "response.output_audio.delta: delta is not base64",
        ),
    ],
)
def test_garbage_is_a_protocol_violation_never_an_exception(frame: str, reason: str) -> None:
    assert ev.parse_server_event(frame) == ev.ProtocolViolation(reason)


def test_unknown_and_unhandled_types_are_ignored() -> None:
    assert ev.parse_server_event(
        '{"type": "output_audio_buffer.started", "response_id": "r"}'
    ) == ev.Ignored("output_audio_buffer.started")


@pytest.mark.parametrize(
    "error_type,code,message,kind",
    [
        ("invalid_request_error", "response_cancel_not_active", "", ErrorKind.BENIGN),
        (
            "invalid_request_error",
            None,
            "Audio content of 9800ms is already shorter than 11579ms",
            ErrorKind.BENIGN,
        ),
        ("invalid_request_error", "invalid_api_key", "", ErrorKind.PERMANENT),
        ("invalid_request_error", "beta_api_shape_disabled", "", ErrorKind.PERMANENT),
        ("invalid_request_error", "missing_model", "", ErrorKind.PERMANENT),
        (
            "invalid_request_error",
            None,
            "Missing bearer or basic authentication in header",
            ErrorKind.PERMANENT,
        ),
        ("tokens", "rate_limit_exceeded", "", ErrorKind.RETRYABLE),
        ("server_error", None, "", ErrorKind.RETRYABLE),
        ("invalid_request_error", "unknown_parameter", "", ErrorKind.REJECTED),
        (
            "invalid_request_error",
            "conversation_already_has_active_response",
            "",
            ErrorKind.REJECTED,
        ),
    ],
)
def test_error_classification(
    error_type: str, code: str | None, message: str, kind: ErrorKind
) -> None:
    assert classify_error(error_type=error_type, code=code, message=message) is kind


@pytest.mark.parametrize(
    "code,kind",
    [
        (3000, ErrorKind.PERMANENT),
        (4000, ErrorKind.PERMANENT),
        (1001, ErrorKind.RETRYABLE),
        (1006, ErrorKind.RETRYABLE),
        (1011, ErrorKind.RETRYABLE),
        (None, ErrorKind.RETRYABLE),
    ],
)
def test_close_classification(code: int | None, kind: ErrorKind) -> None:
    assert classify_close(code) is kind


def test_session_update_semantic_vad_never_auto_responds() -> None:
    settings = RealtimeSettings(
        turn_detection=TurnDetectionSettings(type="semantic_vad", eagerness="low")
    )
    update = ev.session_update(settings, instructions="x" * 20_000, language="fr-BE")
    session = update["session"]
    assert session["type"] == "realtime"
    td = session["audio"]["input"]["turn_detection"]
    assert td == {
        "type": "semantic_vad",
        "eagerness": "low",
        "create_response": False,
        "interrupt_response": True,
    }
    assert session["audio"]["input"]["transcription"]["language"] == "fr"
    assert len(session["instructions"]) == ev.MAX_INSTRUCTIONS_CHARS


def test_speak_instructions_quote_the_exact_sentence() -> None:
    text = ev.speak_instructions(guidance="Be kind.", say="Do you have a fever?")
    assert text.startswith("Be kind.")
    assert text.endswith('"""\nDo you have a fever?\n"""')
    assert ev.speak_instructions(guidance="Ask them to repeat.", say="") == "Ask them to repeat."
