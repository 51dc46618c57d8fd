"""Client events the bridge sends, built as the SDK's typed params (``openai.types.realtime``)."""

from __future__ import annotations

import base64

from openai.types.realtime import (
    ConversationItemCreateEventParam,
    ConversationItemTruncateEventParam,
    InputAudioBufferAppendEventParam,
    InputAudioBufferClearEventParam,
    ResponseCancelEventParam,
    ResponseCreateEventParam,
    SessionUpdateEventParam,
)
from openai.types.realtime.realtime_audio_input_turn_detection_param import (
    RealtimeAudioInputTurnDetectionParam,
)

from media_host.realtime.settings import RealtimeSettings

MAX_INSTRUCTIONS_CHARS = 16_000
MAX_SAY_CHARS = 2_000


def session_update(
    settings: RealtimeSettings,
    *,
    instructions: str,
    language: str,
) -> SessionUpdateEventParam:
    """``session.update``: audio in/out as 24 kHz pcm16, transcription, VAD, voice; no tools.

    Turn detection never creates responses by itself: the intake agent decides what is said.
    """
    td = settings.turn_detection
    turn_detection: RealtimeAudioInputTurnDetectionParam
    if td.type == "semantic_vad":
        turn_detection = {
            "type": "semantic_vad",
            "eagerness": td.eagerness,
            "create_response": False,
            "interrupt_response": td.interrupt_response,
        }
    else:
        turn_detection = {
            "type": "server_vad",
            "threshold": td.threshold,
            "prefix_padding_ms": td.prefix_padding_ms,
            "silence_duration_ms": td.silence_duration_ms,
            "create_response": False,
            "interrupt_response": td.interrupt_response,
        }
    event: SessionUpdateEventParam = {
        "type": "session.update",
        "session": {
            "type": "realtime",
            "instructions": instructions[:MAX_INSTRUCTIONS_CHARS],
            "output_modalities": ["audio"],
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 24_000},
                    "transcription": {
                        "model": settings.transcription_model,
                        "language": language[:2],
                    },
                    "turn_detection": turn_detection,
                },
                "output": {
                    "format": {"type": "audio/pcm", "rate": 24_000},
                    "voice": settings.voice,
                },
            },
        },
    }
    return event


def speak_instructions(*, guidance: str, say: str) -> str:
    """The ``response.create`` instructions: the agent's guidance, then its exact sentence.

    The sentence is quoted between triple quotes on its own lines so a model without language
    understanding (the local engine) can speak exactly that part.
    """
    say = say.replace('"""', '"').strip()[:MAX_SAY_CHARS]  # keep the quoting unambiguous
    guidance = guidance.strip()[:MAX_SAY_CHARS]
    if not say:
        return guidance
    return (
        f"{guidance}\n"
        "Say exactly the following to the patient, word for word, in their language, then "
        f'stop and listen:\n"""\n{say}\n"""'
    )


def response_create(*, instructions: str, purpose: str) -> ResponseCreateEventParam:
    """``response.create`` with per-response instructions; `purpose` is echoed in metadata."""
    return {
        "type": "response.create",
        "response": {
            "instructions": instructions[:MAX_INSTRUCTIONS_CHARS],
            "output_modalities": ["audio"],
            "metadata": {"purpose": purpose[:64]},
        },
    }


def response_cancel() -> ResponseCancelEventParam:
    return {"type": "response.cancel"}


def truncate(*, item_id: str, audio_end_ms: int) -> ConversationItemTruncateEventParam:
    """``conversation.item.truncate``: `audio_end_ms` is relative to the item's own audio."""
    return {
        "type": "conversation.item.truncate",
        "item_id": item_id,
        "content_index": 0,
        "audio_end_ms": max(0, audio_end_ms),
    }


def audio_append(pcm16_24k: bytes) -> InputAudioBufferAppendEventParam:
    return {"type": "input_audio_buffer.append", "audio": base64.b64encode(pcm16_24k).decode()}


def audio_clear() -> InputAudioBufferClearEventParam:
    return {"type": "input_audio_buffer.clear"}


def user_text(*, item_id: str, text: str) -> ConversationItemCreateEventParam:
    """A typed patient message, under our own item id so transcripts stay keyed by it."""
    return {
        "type": "conversation.item.create",
        "item": {
            "id": item_id,
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        },
    }
