"""Builders of GA Realtime server events, shaped like the recorded traces (our own ids/values).

Each function returns one server event as a dict, with the fields and nesting the GA service
uses (``type`` + ``event_id`` envelope, ``previous_item_id`` on item events, ``response`` object
on response.created/done, item-relative ``audio_end_ms`` on truncated, etc.).
"""

from __future__ import annotations

import base64
import itertools
from typing import Any

_ids = itertools.count(1)

# 40 ms of a quiet 24 kHz pcm16 ramp: 960 samples, 1920 bytes.
PCM_40MS = b"".join(int(i % 64 - 32).to_bytes(2, "little", signed=True) for i in range(960))


def _eid() -> str:
    return f"event_T{next(_ids):07d}"


def session_created(session_id: str = "sess_T1", expires_at: int = 2_000_000_000) -> dict[str, Any]:
    return {
        "type": "session.created",
        "event_id": _eid(),
        "session": {
            "type": "realtime",
            "object": "realtime.session",
            "id": session_id,
            "model": "gpt-realtime",
            "output_modalities": ["audio"],
            "instructions": "Default instructions.",
            "expires_at": expires_at,
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "turn_detection": {
                        "type": "server_vad",
                        "threshold": 0.5,
                        "prefix_padding_ms": 300,
                        "silence_duration_ms": 200,
                        "create_response": True,
                        "interrupt_response": True,
                    },
                },
                "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "alloy"},
            },
        },
    }


def session_updated(session_id: str = "sess_T1") -> dict[str, Any]:
    return {
        "type": "session.updated",
        "event_id": _eid(),
        "session": {"type": "realtime", "object": "realtime.session", "id": session_id},
    }


def speech_started(item_id: str, audio_start_ms: int) -> dict[str, Any]:
    return {
        "type": "input_audio_buffer.speech_started",
        "event_id": _eid(),
        "audio_start_ms": audio_start_ms,
        "item_id": item_id,
    }


def speech_stopped(item_id: str, audio_end_ms: int) -> dict[str, Any]:
    return {
        "type": "input_audio_buffer.speech_stopped",
        "event_id": _eid(),
        "audio_end_ms": audio_end_ms,
        "item_id": item_id,
    }


def committed(item_id: str, previous_item_id: str | None) -> dict[str, Any]:
    return {
        "type": "input_audio_buffer.committed",
        "event_id": _eid(),
        "previous_item_id": previous_item_id,
        "item_id": item_id,
    }


def user_audio_item(kind: str, item_id: str, previous_item_id: str | None) -> dict[str, Any]:
    """``conversation.item.added`` / ``.done`` (kind ``added``/``done``) for a user audio item."""
    return {
        "type": f"conversation.item.{kind}",
        "event_id": _eid(),
        "previous_item_id": previous_item_id,
        "item": {
            "id": item_id,
            "type": "message",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": None}],
        },
    }


def user_turn(item_id: str, previous_item_id: str | None, start_ms: int) -> list[dict[str, Any]]:
    """A server-VAD user turn, in the order the service sends it."""
    return [
        speech_started(item_id, start_ms),
        speech_stopped(item_id, start_ms + 1800),
        committed(item_id, previous_item_id),
        user_audio_item("added", item_id, previous_item_id),
        user_audio_item("done", item_id, previous_item_id),
    ]


def transcription_delta(item_id: str, delta: str) -> dict[str, Any]:
    return {
        "type": "conversation.item.input_audio_transcription.delta",
        "event_id": _eid(),
        "item_id": item_id,
        "content_index": 0,
        "delta": delta,
        "obfuscation": "Zq3",
    }


def transcription_completed(item_id: str, transcript: str) -> dict[str, Any]:
    return {
        "type": "conversation.item.input_audio_transcription.completed",
        "event_id": _eid(),
        "item_id": item_id,
        "content_index": 0,
        "transcript": transcript,
        "usage": {
            "type": "tokens",
            "total_tokens": 30,
            "input_tokens": 22,
            "input_token_details": {"text_tokens": 0, "audio_tokens": 22},
            "output_tokens": 8,
        },
    }


def transcription_failed(item_id: str) -> dict[str, Any]:
    return {
        "type": "conversation.item.input_audio_transcription.failed",
        "event_id": _eid(),
        "item_id": item_id,
        "content_index": 0,
        "error": {
            "type": "transcription_error",
            "code": "audio_unintelligible",
            "message": "The audio could not be transcribed.",
            "param": None,
        },
    }


def _response(response_id: str, status: str, details: Any, output: list[Any]) -> dict[str, Any]:
    return {
        "object": "realtime.response",
        "id": response_id,
        "status": status,
        "status_details": details,
        "output": output,
        "conversation_id": "conv_T1",
        "output_modalities": ["audio"],
        "max_output_tokens": "inf",
        "audio": {"output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "alloy"}},
        "usage": None,
        "metadata": None,
    }


def response_created(response_id: str) -> dict[str, Any]:
    return {
        "type": "response.created",
        "event_id": _eid(),
        "response": _response(response_id, "in_progress", None, []),
    }


def _assistant_item(item_id: str, status: str, transcript: str | None) -> dict[str, Any]:
    content = [] if transcript is None else [{"type": "output_audio", "transcript": transcript}]
    return {
        "id": item_id,
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": content,
    }


def assistant_start(
    response_id: str, item_id: str, previous_item_id: str | None
) -> list[dict[str, Any]]:
    """``output_item.added`` → ``conversation.item.added`` → ``content_part.added``."""
    return [
        {
            "type": "response.output_item.added",
            "event_id": _eid(),
            "response_id": response_id,
            "output_index": 0,
            "item": _assistant_item(item_id, "in_progress", None),
        },
        {
            "type": "conversation.item.added",
            "event_id": _eid(),
            "previous_item_id": previous_item_id,
            "item": _assistant_item(item_id, "in_progress", None),
        },
        {
            "type": "response.content_part.added",
            "event_id": _eid(),
            "response_id": response_id,
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
            "part": {"type": "audio", "transcript": ""},
        },
    ]


def audio_delta(response_id: str, item_id: str, pcm: bytes = PCM_40MS) -> dict[str, Any]:
    return {
        "type": "response.output_audio.delta",
        "event_id": _eid(),
        "response_id": response_id,
        "item_id": item_id,
        "output_index": 0,
        "content_index": 0,
        "delta": base64.b64encode(pcm).decode(),
    }


def transcript_delta(response_id: str, item_id: str, delta: str) -> dict[str, Any]:
    return {
        "type": "response.output_audio_transcript.delta",
        "event_id": _eid(),
        "response_id": response_id,
        "item_id": item_id,
        "output_index": 0,
        "content_index": 0,
        "delta": delta,
        "obfuscation": "k1",
    }


def assistant_end(
    response_id: str,
    item_id: str,
    previous_item_id: str | None,
    transcript: str,
    *,
    status: str = "completed",
    reason: str | None = None,
) -> list[dict[str, Any]]:
    """The audio tail: audio/transcript done → part done → item done → response.done."""
    item_status = "completed" if status == "completed" else "incomplete"
    details = None if reason is None else {"type": status, "reason": reason}
    common = {"response_id": response_id, "item_id": item_id, "output_index": 0}
    return [
        {"type": "response.output_audio.done", "event_id": _eid(), **common, "content_index": 0},
        {
            "type": "response.output_audio_transcript.done",
            "event_id": _eid(),
            **common,
            "content_index": 0,
            "transcript": transcript,
        },
        {
            "type": "response.content_part.done",
            "event_id": _eid(),
            **common,
            "content_index": 0,
            "part": {"type": "audio", "transcript": transcript},
        },
        {
            "type": "conversation.item.done",
            "event_id": _eid(),
            "previous_item_id": previous_item_id,
            "item": _assistant_item(item_id, item_status, transcript),
        },
        {
            "type": "response.output_item.done",
            "event_id": _eid(),
            "response_id": response_id,
            "output_index": 0,
            "item": _assistant_item(item_id, item_status, transcript),
        },
        response_done(
            response_id,
            status,
            details,
            [_assistant_item(item_id, item_status, transcript)],
        ),
    ]


def response_done(
    response_id: str, status: str, details: Any, output: list[Any] | None = None
) -> dict[str, Any]:
    return {
        "type": "response.done",
        "event_id": _eid(),
        "response": _response(response_id, status, details, output or []),
    }


def function_call_turn(
    response_id: str, item_id: str, previous_item_id: str, call_id: str, name: str, args: str
) -> list[dict[str, Any]]:
    fc = {
        "id": item_id,
        "type": "function_call",
        "status": "in_progress",
        "name": name,
        "call_id": call_id,
        "arguments": "",
    }
    done_item = {**fc, "status": "completed", "arguments": args}
    half = len(args) // 2
    common = {"response_id": response_id, "item_id": item_id, "output_index": 0, "call_id": call_id}
    return [
        {
            "type": "response.output_item.added",
            "event_id": _eid(),
            "response_id": response_id,
            "output_index": 0,
            "item": fc,
        },
        {
            "type": "conversation.item.added",
            "event_id": _eid(),
            "previous_item_id": previous_item_id,
            "item": fc,
        },
        {
            "type": "response.function_call_arguments.delta",
            "event_id": _eid(),
            **common,
            "delta": args[:half],
        },
        {
            "type": "response.function_call_arguments.delta",
            "event_id": _eid(),
            **common,
            "delta": args[half:],
        },
        {
            "type": "response.function_call_arguments.done",
            "event_id": _eid(),
            **common,
            "name": name,
            "arguments": args,
        },
        {
            "type": "conversation.item.done",
            "event_id": _eid(),
            "previous_item_id": previous_item_id,
            "item": done_item,
        },
        {
            "type": "response.output_item.done",
            "event_id": _eid(),
            "response_id": response_id,
            "output_index": 0,
            "item": done_item,
        },
        response_done(response_id, "completed", None, [done_item]),
    ]


def truncated(item_id: str, audio_end_ms: int) -> dict[str, Any]:
    return {
        "type": "conversation.item.truncated",
        "event_id": _eid(),
        "item_id": item_id,
        "content_index": 0,
        "audio_end_ms": audio_end_ms,
    }


def rate_limits(remaining: int = 39000) -> dict[str, Any]:
    return {
        "type": "rate_limits.updated",
        "event_id": _eid(),
        "rate_limits": [
            {"name": "tokens", "limit": 40000, "remaining": remaining, "reset_seconds": 1.5}
        ],
    }


def error(
    code: str | None,
    message: str,
    *,
    error_type: str = "invalid_request_error",
    param: str | None = None,
) -> dict[str, Any]:
    return {
        "type": "error",
        "event_id": _eid(),
        "error": {
            "type": error_type,
            "code": code,
            "message": message,
            "param": param,
            "event_id": None,
        },
    }
