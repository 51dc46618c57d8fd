"""GA session configuration: defaults, validation of ``session.update``/``response.create``
payloads and of client conversation items, and how partial updates merge."""

from __future__ import annotations

import copy
import time
from typing import Any

from media_host.local_realtime.audio import SAMPLE_RATE
from media_host.local_realtime.errors import ProtocolError
from media_host.local_realtime.schema import (
    Validator,
    any_json,
    boolean,
    enum,
    integer,
    list_of,
    nullable,
    number,
    obj,
    one_of,
    string,
    tagged,
)

DEFAULT_INSTRUCTIONS = "You are a local offline speech engine. You repeat the text you are given."
# Spoken when a response has no instructions and the session has only the default ones.
ACKNOWLEDGEMENTS = {"en": "Thank you. Please go on.", "es": "Gracias. Continúe, por favor."}
# OpenAI voice names: they select a language default eSpeak voice instead of a named voice.
OPENAI_VOICES = frozenset(
    {"alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer"}
    | {"verse", "marin", "cedar"}
)
# semantic_vad has no semantic model here: eagerness only picks the silence that ends a turn.
SEMANTIC_SILENCE_MS = {"low": 1200, "medium": 800, "auto": 800, "high": 400}

_FORMAT = obj(
    {"type": enum("audio/pcm"), "rate": integer(SAMPLE_RATE, SAMPLE_RATE)}, required=("type",)
)
_SERVER_VAD = obj(
    {
        "type": enum("server_vad"),
        "threshold": number(0.0, 1.0),
        "prefix_padding_ms": integer(0, 5_000),
        "silence_duration_ms": integer(0, 10_000),
        "idle_timeout_ms": nullable(integer(5_000, 30_000)),
        "create_response": boolean(),
        "interrupt_response": boolean(),
    }
)
_SEMANTIC_VAD = obj(
    {
        "type": enum("semantic_vad"),
        "eagerness": enum("low", "medium", "high", "auto"),
        "create_response": boolean(),
        "interrupt_response": boolean(),
    }
)
_TRANSCRIPTION = obj(
    {
        "model": string(128),
        "language": string(16),
        "prompt": string(4_000),
        "delay": enum("minimal", "low", "medium", "high", "xhigh"),
        "keywords": list_of(string(128), 100),
        "languages": list_of(string(16), 16),
    }
)
_AUDIO_INPUT = obj(
    {
        "format": _FORMAT,
        "transcription": nullable(_TRANSCRIPTION),
        "noise_reduction": nullable(
            obj({"type": enum("near_field", "far_field"), "strength": number(0.0, 1.0)})
        ),
        "turn_detection": nullable(
            tagged("type", {"server_vad": _SERVER_VAD, "semantic_vad": _SEMANTIC_VAD})
        ),
    }
)
_VOICE = string(64)
_AUDIO_OUTPUT = obj({"format": _FORMAT, "voice": _VOICE, "speed": number(0.25, 1.5)})
_TOOL = tagged(
    "type",
    {
        "function": obj(
            {
                "type": enum("function"),
                "name": string(64),
                "description": string(4_096),
                "parameters": any_json(),
            }
        ),
        "mcp": any_json(),
    },
)
_MAX_OUTPUT_TOKENS = one_of(integer(1, 4096), enum("inf"))
_MODALITIES = list_of(enum("audio", "text"), 1)

SESSION_SCHEMA: Validator = obj(
    {
        "type": enum("realtime"),
        "model": string(128),
        "instructions": string(64_000),
        "output_modalities": _MODALITIES,
        "audio": obj({"input": _AUDIO_INPUT, "output": _AUDIO_OUTPUT}),
        "tools": list_of(_TOOL, 128),
        "tool_choice": any_json(),
        "max_output_tokens": _MAX_OUTPUT_TOKENS,
        "tracing": any_json(),
        "truncation": any_json(),
        "prompt": any_json(),
        "include": list_of(enum("item.input_audio_transcription.logprobs"), 1),
        "parallel_tool_calls": boolean(),
        "reasoning": any_json(),
    },
    required=("type",),
)

_CONTENT_PART = tagged(
    "type",
    {
        "input_text": obj({"type": enum("input_text"), "text": string(64_000)}),
        "input_audio": obj(
            {"type": enum("input_audio"), "audio": string(4_000_000), "transcript": string()}
        ),
        "input_image": any_json(),
        "output_text": obj({"type": enum("output_text"), "text": string(64_000)}),
        "output_audio": obj(
            {"type": enum("output_audio"), "audio": string(4_000_000), "transcript": string()}
        ),
        "text": obj({"type": enum("text"), "text": string(64_000)}),
    },
)
_ITEM_COMMON = {"id": string(64), "object": enum("realtime.item"), "status": string(32)}
ITEM_SCHEMA: Validator = tagged(
    "type",
    {
        "message": obj(
            {
                **_ITEM_COMMON,
                "type": enum("message"),
                "role": enum("user", "assistant", "system"),
                "content": list_of(_CONTENT_PART, 64),
            },
            required=("role", "content"),
        ),
        "function_call": obj(
            {
                **_ITEM_COMMON,
                "type": enum("function_call"),
                "call_id": string(128),
                "name": string(64),
                "arguments": string(64_000),
            },
            required=("name", "arguments"),
        ),
        "function_call_output": obj(
            {
                **_ITEM_COMMON,
                "type": enum("function_call_output"),
                "call_id": string(128),
                "output": string(64_000),
            },
            required=("call_id", "output"),
        ),
        "item_reference": obj({"type": enum("item_reference"), "id": string(64)}),
    },
)

RESPONSE_SCHEMA: Validator = obj(
    {
        "instructions": string(64_000),
        "output_modalities": _MODALITIES,
        "audio": obj({"output": obj({"format": _FORMAT, "voice": _VOICE})}),
        "conversation": string(64),
        "input": list_of(ITEM_SCHEMA, 256),
        "metadata": nullable(any_json(2)),
        "tools": list_of(_TOOL, 128),
        "tool_choice": any_json(),
        "max_output_tokens": _MAX_OUTPUT_TOKENS,
        "prompt": any_json(),
        "parallel_tool_calls": boolean(),
        "reasoning": any_json(),
    }
)


def default_session(session_id: str, model: str, voice: str, max_seconds: float) -> dict[str, Any]:
    """The session announced in ``session.created`` (GA shape, server_vad on, transcription off)."""
    return {
        "type": "realtime",
        "object": "realtime.session",
        "id": session_id,
        "model": model,
        "output_modalities": ["audio"],
        "instructions": DEFAULT_INSTRUCTIONS,
        "tools": [],
        "tool_choice": "auto",
        "max_output_tokens": "inf",
        "tracing": None,
        "truncation": "auto",
        "prompt": None,
        "expires_at": int(time.time() + max_seconds),
        "audio": {
            "input": {
                "format": {"type": "audio/pcm", "rate": SAMPLE_RATE},
                "transcription": None,
                "noise_reduction": None,
                "turn_detection": server_vad_defaults({"type": "server_vad"}),
            },
            "output": {
                "format": {"type": "audio/pcm", "rate": SAMPLE_RATE},
                "voice": voice,
                "speed": 1.0,
            },
        },
        "include": None,
    }


def server_vad_defaults(given: dict[str, Any]) -> dict[str, Any]:
    """Fill turn-detection defaults the way the hosted service reports them."""
    if given["type"] == "semantic_vad":
        return {
            "type": "semantic_vad",
            "eagerness": "auto",
            "create_response": True,
            "interrupt_response": True,
            **given,
        }
    return {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 500,
        "idle_timeout_ms": None,
        "create_response": True,
        "interrupt_response": True,
        **given,
    }


def merge_session_update(current: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Apply a validated partial ``session`` object; returns a new session dict.

    Top-level fields replace; ``audio.input``/``audio.output`` merge field by field, and a new
    ``turn_detection``/``format`` object replaces the old one (with defaults filled in).
    """
    merged = copy.deepcopy(current)
    for key, value in update.items():
        if key == "audio":
            for direction in ("input", "output"):
                for field, field_value in value.get(direction, {}).items():
                    if field == "turn_detection" and field_value is not None:
                        field_value = server_vad_defaults(field_value)
                    if field == "format":
                        field_value = {"type": "audio/pcm", "rate": SAMPLE_RATE}
                    merged["audio"][direction][field] = field_value
        elif key != "type":
            merged[key] = value
    return merged


def validate_session(payload: Any) -> dict[str, Any]:
    """Validate a ``session.update`` ``session`` object (raises ProtocolError)."""
    result: dict[str, Any] = SESSION_SCHEMA(payload, "session")
    return result


def validate_response(payload: Any) -> dict[str, Any]:
    """Validate a ``response.create`` ``response`` object (raises ProtocolError)."""
    if payload is None:
        return {}
    result: dict[str, Any] = RESPONSE_SCHEMA(payload, "response")
    conversation = result.get("conversation", "auto")
    if conversation not in ("auto", "none"):
        raise ProtocolError(
            f"Invalid value: '{conversation[:64]}'. Supported values are: 'auto' and 'none'.",
            "invalid_value",
            "response.conversation",
        )
    return result
