"""The pure protocol state machine: validation errors, response lifecycle, truncation, VAD turns."""

from __future__ import annotations

import base64
from typing import Any

from media_host.local_realtime import LocalRealtimeSettings
from media_host.local_realtime.client_events import CLIENT_EVENT_TYPES
from media_host.local_realtime.protocol import (
    RealtimeProtocol,
    SpeakRequest,
    TranscribeRequest,
)
from media_host.local_realtime.stt import Transcript
from tests.fixtures.speech import silence_pcm16, synthesize_pcm16_24k


def machine(**overrides: Any) -> RealtimeProtocol:
    return RealtimeProtocol(LocalRealtimeSettings(**overrides), "gpt-realtime")


def events(outputs: list[Any]) -> list[dict[str, Any]]:
    return [o for o in outputs if isinstance(o, dict)]


def only_error(outputs: list[Any]) -> dict[str, Any]:
    assert len(outputs) == 1, outputs
    assert outputs[0]["type"] == "error"
    error: dict[str, Any] = outputs[0]["error"]
    return error


def append(m: RealtimeProtocol, pcm: bytes, chunk_ms: int = 100) -> list[Any]:
    out: list[Any] = []
    for i in range(0, len(pcm), 48 * chunk_ms):
        chunk = base64.b64encode(pcm[i : i + 48 * chunk_ms]).decode()
        out += m.handle({"type": "input_audio_buffer.append", "audio": chunk})
    return out


def run_response(m: RealtimeProtocol, speak: SpeakRequest, pcm_ms: int) -> list[dict[str, Any]]:
    """Play the runner's part: one chunk per word, then finish."""
    words = speak.text.split(" ")
    out: list[Any] = []
    per_word = bytes(48 * (pcm_ms // len(words)))
    for i, word in enumerate(words):
        out += m.response_output(speak.response_id, per_word, word if i == 0 else " " + word)
    out += m.response_finished(speak.response_id)
    return events(out)


def test_session_created_is_ga_shaped() -> None:
    [created] = machine().open()
    assert isinstance(created, dict)
    session = created["session"]
    assert created["type"] == "session.created"
    assert session["type"] == "realtime" and session["id"].startswith("sess_")
    assert session["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}
    assert session["audio"]["input"]["turn_detection"]["type"] == "server_vad"


def test_session_update_merges_and_fills_vad_defaults() -> None:
    m = machine()
    [updated] = m.handle(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "instructions": "Be brief.",
                "output_modalities": ["text"],
                "audio": {
                    "input": {
                        "turn_detection": {"type": "server_vad", "silence_duration_ms": 300},
                        "transcription": {"model": "whisper-1", "language": "en"},
                    },
                    "output": {"voice": "alloy"},
                },
            },
        }
    )
    assert isinstance(updated, dict) and updated["type"] == "session.updated"
    session = updated["session"]
    assert session["instructions"] == "Be brief."
    assert session["output_modalities"] == ["text"]
    detection = session["audio"]["input"]["turn_detection"]
    assert detection["silence_duration_ms"] == 300 and detection["create_response"] is True
    assert session["audio"]["output"]["voice"] == "alloy"
    assert session["audio"]["output"]["format"] == {"type": "audio/pcm", "rate": 24000}


def test_session_update_errors_match_the_hosted_service() -> None:
    m = machine()
    before = m.session
    bogus = only_error(
        m.handle({"type": "session.update", "session": {"type": "realtime", "bogus_field": 1}})
    )
    assert bogus == {
        "type": "invalid_request_error",
        "code": "unknown_parameter",
        "message": "Unknown parameter: 'session.bogus_field'.",
        "param": "session.bogus_field",
        "event_id": None,
    }
    beta = only_error(
        m.handle(
            {
                "type": "session.update",
                "event_id": "evt_client_1",
                "session": {"type": "realtime", "modalities": ["audio"]},
            }
        )
    )
    assert beta["code"] == "unknown_parameter" and beta["param"] == "session.modalities"
    assert beta["event_id"] == "evt_client_1"
    rate = only_error(
        m.handle(
            {
                "type": "session.update",
                "session": {
                    "type": "realtime",
                    "audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}},
                },
            }
        )
    )
    assert rate["code"] == "integer_below_min_value"
    assert rate["param"] == "session.audio.input.format.rate"
    no_type = only_error(m.handle({"type": "session.update", "session": {"instructions": "x"}}))
    assert no_type["code"] == "missing_required_parameter" and no_type["param"] == "session.type"
    bad_vad = only_error(
        m.handle(
            {
                "type": "session.update",
                "session": {
                    "type": "realtime",
                    "audio": {"input": {"turn_detection": {"type": "x"}}},
                },
            }
        )
    )
    assert bad_vad["code"] == "invalid_value"
    assert m.session == before  # rejected updates are discarded whole


def test_unknown_event_type_lists_supported_values() -> None:
    error = only_error(machine().handle({"type": "nope"}))
    assert error["code"] == "invalid_value" and error["param"] == "type"
    assert error["message"].startswith("Invalid value: 'nope'. Supported values are: ")
    assert all(f"'{name}'" in error["message"] for name in CLIENT_EVENT_TYPES)
    assert only_error(machine().handle([1, 2]))["code"] == "invalid_event"
    assert only_error(machine().handle({"event_id": "x"}))["param"] == "type"


def test_missing_and_mistyped_fields_name_the_param() -> None:
    m = machine()
    missing = only_error(m.handle({"type": "conversation.item.truncate", "item_id": "item_1"}))
    assert missing["code"] == "missing_required_parameter" and missing["param"] == "content_index"
    mistyped = only_error(
        m.handle(
            {
                "type": "conversation.item.truncate",
                "item_id": "item_1",
                "content_index": 0,
                "audio_end_ms": "12",
            }
        )
    )
    assert mistyped["code"] == "invalid_type" and mistyped["param"] == "audio_end_ms"
    extra = only_error(m.handle({"type": "response.cancel", "surprise": True}))
    assert extra["code"] == "unknown_parameter" and extra["param"] == "surprise"
    bad_audio = only_error(m.handle({"type": "input_audio_buffer.append", "audio": "***"}))
    assert bad_audio["param"] == "audio"
    odd = base64.b64encode(b"abc").decode()
    assert (
        only_error(m.handle({"type": "input_audio_buffer.append", "audio": odd}))["param"]
        == "audio"
    )


def test_cancel_without_active_response_is_an_error() -> None:
    error = only_error(machine().handle({"type": "response.cancel"}))
    assert error["code"] == "response_cancel_not_active"
    assert error["message"] == "Cancellation failed: no active response found"


def test_text_turn_event_order_and_transcript() -> None:
    m = machine()
    added = events(
        m.handle(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "I feel dizzy."}],
                },
            }
        )
    )
    assert [e["type"] for e in added] == ["conversation.item.added", "conversation.item.done"]
    user_id = added[0]["item"]["id"]
    out = m.handle({"type": "response.create", "response": {"instructions": "How long  for?"}})
    speak = [o for o in out if isinstance(o, SpeakRequest)]
    assert len(speak) == 1 and speak[0].text == "How long for?" and speak[0].voice == "en-us"
    start = events(out)
    assert [e["type"] for e in start] == [
        "response.created",
        "response.output_item.added",
        "conversation.item.added",
        "response.content_part.added",
    ]
    assert start[2]["previous_item_id"] == user_id
    tail = run_response(m, speak[0], 900)
    kinds = [e["type"] for e in tail]
    assert kinds[:2] == ["response.output_audio_transcript.delta", "response.output_audio.delta"]
    assert kinds[-7:] == [
        "response.output_audio.done",
        "response.output_audio_transcript.done",
        "response.content_part.done",
        "conversation.item.done",
        "response.output_item.done",
        "response.done",
        "rate_limits.updated",
    ]
    deltas = "".join(e["delta"] for e in tail if e["type"].endswith("transcript.delta"))
    assert deltas == "How long for?"
    done = next(e for e in tail if e["type"] == "response.done")["response"]
    assert done["status"] == "completed" and done["status_details"] is None
    assert done["output"][0]["content"] == [{"type": "output_audio", "transcript": deltas}]
    assert done["usage"]["output_token_details"]["audio_tokens"] == 18
    assert m.active_response_id is None


def test_second_response_while_active_is_rejected() -> None:
    m = machine()
    first = next(o for o in m.handle({"type": "response.create"}) if isinstance(o, SpeakRequest))
    error = only_error(m.handle({"type": "response.create", "event_id": "c1"}))
    assert error["code"] == "conversation_already_has_active_response"
    assert first.response_id in error["message"] and error["event_id"] == "c1"
    cancelled = events(m.handle({"type": "response.cancel"}))
    done = cancelled[-2]["response"]
    assert done["status"] == "cancelled"
    assert done["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}
    assert done["output"][0]["status"] == "incomplete"
    assert m.response_output(first.response_id, b"\0\0", "late") == []  # stale output dropped


def test_truncate_valid_and_overshoot() -> None:
    m = machine()
    speak = next(
        o
        for o in m.handle(
            {"type": "response.create", "response": {"instructions": "one two three four"}}
        )
        if isinstance(o, SpeakRequest)
    )
    tail = run_response(m, speak, 2000)  # 500 ms per word
    item_id = tail[-3]["item"]["id"]
    [truncated] = m.handle(
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": 800,
        }
    )
    assert isinstance(truncated, dict)
    assert truncated == {**truncated, "type": "conversation.item.truncated", "audio_end_ms": 800}
    [retrieved] = m.handle({"type": "conversation.item.retrieve", "item_id": item_id})
    assert isinstance(retrieved, dict)
    assert retrieved["item"]["content"][0]["transcript"] == "one two"  # words heard by 800 ms
    over = m.handle(
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": 5000,
        }
    )
    assert isinstance(over[0], dict) and over[0]["type"] == "error"
    assert over[0]["error"]["message"] == "Audio content of 800ms is already shorter than 5000ms"
    assert over[0]["error"]["code"] is None
    assert isinstance(over[1], dict) and over[1]["audio_end_ms"] == 800  # clamped, like GA
    unknown = only_error(
        m.handle(
            {
                "type": "conversation.item.truncate",
                "item_id": "item_x",
                "content_index": 0,
                "audio_end_ms": 1,
            }
        )
    )
    assert unknown["param"] == "item_id"


def test_commit_empty_buffer_is_an_error() -> None:
    error = only_error(machine().handle({"type": "input_audio_buffer.commit"}))
    assert error["code"] == "input_audio_buffer_commit_empty"


def test_vad_turn_commits_transcribes_and_responds() -> None:
    m = machine()
    m.handle(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "audio": {"input": {"transcription": {"model": "whisper-1"}}},
            },
        }
    )
    speech = synthesize_pcm16_24k("I have a headache.")
    out = append(m, silence_pcm16(600) + speech + silence_pcm16(900))
    kinds = [o["type"] if isinstance(o, dict) else type(o).__name__ for o in out]
    assert kinds[:7] == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
        "TranscribeRequest",
        "response.created",
    ]
    started, stopped = out[0], out[1]
    assert isinstance(started, dict) and isinstance(stopped, dict)
    assert started["item_id"] == stopped["item_id"] == out[2]["item_id"]
    assert 200 <= started["audio_start_ms"] <= 600  # speech at 600 ms minus 300 ms padding
    speech_end = 600 + len(speech) // 48
    assert speech_end <= stopped["audio_end_ms"] <= speech_end + 700
    request = next(o for o in out if isinstance(o, TranscribeRequest))
    assert len(request.pcm) // 48 == stopped["audio_end_ms"] - started["audio_start_ms"]
    done = m.transcription_completed(request.item_id, Transcript([" I have a headache."], 1.0, 0.1))
    assert [e["type"] for e in events(done)][
        -1
    ] == "conversation.item.input_audio_transcription.completed"
    assert "".join(e["delta"] for e in events(done)[:-1]) == "I have a headache."


def test_barge_in_cancels_with_turn_detected_after_speech_started() -> None:
    m = machine()
    m.handle({"type": "response.create", "response": {"instructions": "A long answer."}})
    out = events(append(m, silence_pcm16(300) + synthesize_pcm16_24k("Wait, stop.")))
    kinds = [e["type"] for e in out]
    started = kinds.index("input_audio_buffer.speech_started")
    done = kinds.index("response.done")
    assert started < done
    assert out[done]["response"]["status_details"] == {
        "type": "cancelled",
        "reason": "turn_detected",
    }


def test_silence_and_noise_do_not_trigger_vad() -> None:
    import numpy as np

    m = machine()
    rng = np.random.default_rng(7)
    hiss = (rng.normal(0, 30, 24000 * 2)).astype("<i2").tobytes()  # ≈ -60 dBFS line noise
    assert events(append(m, silence_pcm16(1500) + hiss)) == []


def test_echo_mode_manual_commit_echoes_input() -> None:
    m = machine(mode="echo")
    m.handle(
        {
            "type": "session.update",
            "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
        }
    )
    pcm = synthesize_pcm16_24k("echo")
    append(m, pcm)
    out = m.handle({"type": "input_audio_buffer.commit"})
    speak = [o for o in out if isinstance(o, SpeakRequest)]
    assert len(speak) == 1 and speak[0].echo_pcm == pcm


def _speak_request(m: RealtimeProtocol, event: dict[str, Any]) -> SpeakRequest:
    return next(o for o in m.handle(event) if isinstance(o, SpeakRequest))


def test_voice_selection_follows_language_and_explicit_espeak_voices() -> None:
    m = machine()
    assert _speak_request(m, {"type": "response.create"}).voice == "en-us"
    m.handle({"type": "response.cancel"})
    m.handle(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "audio": {
                    "input": {"transcription": {"model": "whisper-1", "language": "es"}},
                    "output": {"voice": "marin"},
                },
            },
        }
    )
    spanish = _speak_request(m, {"type": "response.create"})
    assert spanish.voice == "es" and spanish.text == "Gracias. Continúe, por favor."
    m.handle({"type": "response.cancel"})
    explicit = _speak_request(
        m,
        {
            "type": "response.create",
            "response": {"instructions": "Hello.", "audio": {"output": {"voice": "en-gb"}}},
        },
    )
    assert explicit.voice == "en-gb"


def test_session_instructions_last_line_is_spoken_without_response_instructions() -> None:
    m = machine()
    m.handle(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "instructions": "You are a nurse.\n\nAsk: any fever?\n",
            },
        }
    )
    assert _speak_request(m, {"type": "response.create"}).text == "Ask: any fever?"


def test_function_call_output_and_items_lifecycle() -> None:
    m = machine()
    out = events(
        m.handle(
            {
                "type": "conversation.item.create",
                "item": {
                    "id": "item_tool_1",
                    "type": "function_call_output",
                    "call_id": "call_1",
                    "output": '{"ok": true}',
                },
            }
        )
    )
    assert [e["type"] for e in out] == ["conversation.item.added", "conversation.item.done"]
    assert out[0]["item"]["call_id"] == "call_1"
    duplicate = only_error(
        m.handle(
            {
                "type": "conversation.item.create",
                "item": {
                    "id": "item_tool_1",
                    "type": "function_call_output",
                    "call_id": "c",
                    "output": "",
                },
            }
        )
    )
    assert duplicate["param"] == "item.id"
    missing_output = only_error(
        m.handle(
            {
                "type": "conversation.item.create",
                "item": {"type": "function_call_output", "call_id": "c"},
            }
        )
    )
    assert missing_output["param"] == "item.output"
    [deleted] = m.handle({"type": "conversation.item.delete", "item_id": "item_tool_1"})
    assert isinstance(deleted, dict) and deleted["type"] == "conversation.item.deleted"
    gone = only_error(m.handle({"type": "conversation.item.retrieve", "item_id": "item_tool_1"}))
    assert gone["param"] == "item_id"


def test_semantic_vad_is_accepted_and_drives_turns() -> None:
    m = machine()
    [updated] = m.handle(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "audio": {
                    "input": {"turn_detection": {"type": "semantic_vad", "eagerness": "high"}}
                },
            },
        }
    )
    assert isinstance(updated, dict)
    assert updated["session"]["audio"]["input"]["turn_detection"]["eagerness"] == "high"
    out = events(append(m, synthesize_pcm16_24k("Hello.") + silence_pcm16(700)))
    assert [e["type"] for e in out][:3] == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
    ]


def test_turn_detection_off_means_manual_commit_without_auto_response() -> None:
    m = machine()
    m.handle(
        {
            "type": "session.update",
            "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
        }
    )
    assert events(append(m, synthesize_pcm16_24k("Hello there.") + silence_pcm16(800))) == []
    out = m.handle({"type": "input_audio_buffer.commit"})
    assert [o["type"] for o in events(out)] == [
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
    ]
    assert not any(isinstance(o, SpeakRequest | TranscribeRequest) for o in out)
    assert m.active_response_id is None


def test_out_of_band_response_adds_no_conversation_items() -> None:
    m = machine()
    out = m.handle(
        {
            "type": "response.create",
            "response": {"conversation": "none", "instructions": "Side note."},
        }
    )
    kinds = [e["type"] for e in events(out)]
    assert "conversation.item.added" not in kinds
    assert events(out)[0]["response"]["conversation_id"] is None
    bad = m.handle({"type": "response.cancel"})
    assert events(bad)[-2]["response"]["status"] == "cancelled"
    assert (
        only_error(m.handle({"type": "response.create", "response": {"conversation": "other"}}))[
            "param"
        ]
        == "response.conversation"
    )


def test_barge_in_does_not_cancel_out_of_band_responses() -> None:
    m = machine()
    m.handle({"type": "response.create", "response": {"conversation": "none"}})
    out = events(append(m, silence_pcm16(300) + synthesize_pcm16_24k("Hello there.")))
    assert [e["type"] for e in out] == ["input_audio_buffer.speech_started"]
    assert m.active_response_id is not None


def test_triple_quoted_block_marks_the_exact_words_to_say() -> None:
    m = machine()
    instructions = (
        "Be warm and calm. Ask one question.\n"
        'Say exactly the following to the patient, word for word:\n"""\nDoes the pain spread '
        'to your arm?\n"""'
    )
    speak = _speak_request(
        m, {"type": "response.create", "response": {"instructions": instructions}}
    )
    assert speak.text == "Does the pain spread to your arm?"
    m.handle({"type": "response.cancel"})
    m.handle(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "instructions": 'Guidance.\n"""Welcome to triage."""\nMore.',
            },
        }
    )
    assert _speak_request(m, {"type": "response.create"}).text == "Welcome to triage."
