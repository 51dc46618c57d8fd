"""Every server frame of a busy session parses as the SDK's GA event types and carries exactly the
top-level fields the recorded GA service sends (key sets written from the realtime traces)."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
import websockets
from openai.types.realtime.realtime_server_event import RealtimeServerEvent
from pydantic import TypeAdapter

from media_host.local_realtime import LocalRealtimeServer
from tests.fixtures.speech import silence_pcm16, synthesize_pcm16_24k

_BASE = {"type", "event_id"}
_PART_REF = _BASE | {"response_id", "item_id", "output_index", "content_index"}
EXPECTED_KEYS: dict[str, set[str]] = {
    "session.created": _BASE | {"session"},
    "session.updated": _BASE | {"session"},
    "input_audio_buffer.speech_started": _BASE | {"audio_start_ms", "item_id"},
    "input_audio_buffer.speech_stopped": _BASE | {"audio_end_ms", "item_id"},
    "input_audio_buffer.committed": _BASE | {"previous_item_id", "item_id"},
    "input_audio_buffer.cleared": _BASE,
    "conversation.item.added": _BASE | {"previous_item_id", "item"},
    "conversation.item.done": _BASE | {"previous_item_id", "item"},
    "conversation.item.truncated": _BASE | {"item_id", "content_index", "audio_end_ms"},
    "conversation.item.deleted": _BASE | {"item_id"},
    "conversation.item.retrieved": _BASE | {"item"},
    "conversation.item.input_audio_transcription.delta": _BASE
    | {"item_id", "content_index", "delta", "obfuscation"},
    "conversation.item.input_audio_transcription.completed": _BASE
    | {"item_id", "content_index", "transcript", "usage"},
    "response.created": _BASE | {"response"},
    "response.done": _BASE | {"response"},
    "response.output_item.added": _BASE | {"response_id", "output_index", "item"},
    "response.output_item.done": _BASE | {"response_id", "output_index", "item"},
    "response.content_part.added": _PART_REF | {"part"},
    "response.content_part.done": _PART_REF | {"part"},
    "response.output_audio.delta": _PART_REF | {"delta"},
    "response.output_audio.done": _PART_REF,
    "response.output_audio_transcript.delta": _PART_REF | {"delta", "obfuscation"},
    "response.output_audio_transcript.done": _PART_REF | {"transcript"},
    "response.output_text.delta": _PART_REF | {"delta", "obfuscation"},
    "response.output_text.done": _PART_REF | {"text"},
    "rate_limits.updated": _BASE | {"rate_limits"},
    "error": _BASE | {"error"},
}
SESSION_KEYS = {
    "type", "object", "id", "model", "output_modalities", "instructions", "tools",
    "tool_choice", "max_output_tokens", "tracing", "truncation", "prompt", "expires_at",
    "audio", "include",
}  # fmt: skip
RESPONSE_KEYS = {
    "object", "id", "status", "status_details", "output", "conversation_id",
    "output_modalities", "max_output_tokens", "audio", "usage", "metadata",
}  # fmt: skip
ERROR_KEYS = {"type", "code", "message", "param", "event_id"}
_SERVER_EVENT = TypeAdapter(RealtimeServerEvent)


class _Wire:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []

    async def send(self, **event: Any) -> None:
        await self.ws.send(json.dumps(event))

    async def until(self, kind: str) -> dict[str, Any]:
        async def run() -> dict[str, Any]:
            while True:
                frame: dict[str, Any] = json.loads(await self.ws.recv())
                self.frames.append(frame)
                if frame["type"] == kind:
                    return frame

        return await asyncio.wait_for(run(), 60)


@pytest.mark.slow
async def test_all_frames_of_a_busy_session_have_ga_shapes(server: LocalRealtimeServer) -> None:
    async with websockets.connect(server.url + "/realtime?model=gpt-realtime") as ws:
        wire = _Wire(ws)
        await wire.until("session.created")
        session = {
            "type": "realtime",
            "audio": {"input": {"transcription": {"model": "whisper-1", "language": "en"}}},
        }
        await wire.send(type="session.update", session=session)
        await wire.until("session.updated")
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "Hi"}],
        }
        await wire.send(type="conversation.item.create", item=item)
        await wire.send(type="response.create", response={"instructions": "Hello, how are you?"})
        done = await wire.until("rate_limits.updated")
        assistant_id = wire.frames[-2]["response"]["output"][0]["id"]
        for end_ms in (300, 999_999):
            await wire.send(
                type="conversation.item.truncate",
                item_id=assistant_id,
                content_index=0,
                audio_end_ms=end_ms,
            )
            await wire.until("conversation.item.truncated")
        pcm = silence_pcm16(300) + synthesize_pcm16_24k("I feel dizzy.") + silence_pcm16(800)
        for offset in range(0, len(pcm), 4800):
            chunk = base64.b64encode(pcm[offset : offset + 4800]).decode()
            await wire.send(type="input_audio_buffer.append", audio=chunk)
        await wire.until("conversation.item.input_audio_transcription.completed")
        await wire.send(
            type="response.create",
            response={"instructions": "Text only.", "output_modalities": ["text"]},
        )
        await wire.until("rate_limits.updated")
        await wire.send(type="response.create", response={"instructions": "Long. " * 50})
        await wire.until("response.output_audio.delta")
        await wire.send(type="response.cancel")
        cancelled = await wire.until("response.done")
        await wire.send(type="conversation.item.retrieve", item_id=assistant_id)
        await wire.until("conversation.item.retrieved")
        await wire.send(type="conversation.item.delete", item_id=assistant_id)
        await wire.until("conversation.item.deleted")
        await wire.send(type="input_audio_buffer.clear")
        await wire.until("input_audio_buffer.cleared")
    assert done["type"] == "rate_limits.updated"
    assert cancelled["response"]["status"] in {"cancelled", "completed"}
    seen = {frame["type"] for frame in wire.frames}
    assert seen == set(EXPECTED_KEYS), seen ^ set(EXPECTED_KEYS)
    for frame in wire.frames:
        assert set(frame) == EXPECTED_KEYS[frame["type"]], frame["type"]
        parsed = _SERVER_EVENT.validate_python(frame)
        assert parsed.type == frame["type"]
        if "session" in frame:
            assert set(frame["session"]) == SESSION_KEYS
        if "response" in frame:
            assert set(frame["response"]) == RESPONSE_KEYS
        if frame["type"] == "error":
            assert set(frame["error"]) == ERROR_KEYS
