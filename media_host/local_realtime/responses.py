"""One assistant response's lifecycle as GA server events (created → parts → deltas → done).

The ordering follows the recorded GA captures: ``response.created → response.output_item.added →
conversation.item.added → response.content_part.added → (transcript delta, audio delta)* →
output_audio.done → output_audio_transcript.done → content_part.done → conversation.item.done →
response.output_item.done → response.done → rate_limits.updated``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from media_host.local_realtime.audio import BYTES_PER_MS, SAMPLE_RATE, encode_base64
from media_host.local_realtime.errors import new_id, obfuscation

Modality = Literal["audio", "text"]
_RATE_LIMIT_TOKENS = 40_000  # reported only for shape compatibility; nothing is metered locally


@dataclass
class ResponseState:
    """A response being generated (or just finished) and its single message output item.

    Attributes:
        id: ``resp_…`` id.
        item_id: Assistant item id.
        modality: ``audio`` (audio + transcript) or ``text``.
        voice: The voice name reported back to the client.
        in_conversation: False for out-of-band responses (``conversation: "none"``).
        previous_item_id: Item the assistant item follows in the conversation.
        conversation_id: ``conv_…`` id, or None when out of band.
        max_output_tokens: Echoed from the request/session.
        metadata: Echoed from the request.
        input_text_chars: Size of the text context, for the usage estimate.
        transcript: Text produced so far.
        audio_bytes: Audio produced so far.
        text_marks: ``(audio_ms, transcript_length)`` after each delta, for truncation.
    """

    id: str
    item_id: str
    modality: Modality
    voice: str
    in_conversation: bool
    previous_item_id: str | None
    conversation_id: str | None
    max_output_tokens: int | str
    metadata: dict[str, Any] | None
    input_text_chars: int
    transcript: str = ""
    audio_bytes: int = 0
    text_marks: list[tuple[int, int]] = field(default_factory=list)

    def message_item(self, status: str) -> dict[str, Any]:
        """The assistant message item with its content so far (no audio bytes, like GA)."""
        content: list[dict[str, Any]] = []
        if status != "in_progress":
            if self.modality == "audio":
                content = [{"type": "output_audio", "transcript": self.transcript}]
            else:
                content = [{"type": "output_text", "text": self.transcript}]
        return {
            "id": self.item_id,
            "type": "message",
            "status": status,
            "role": "assistant",
            "content": content,
        }

    def response_object(
        self,
        status: str,
        status_details: dict[str, Any] | None,
        output: list[dict[str, Any]],
        usage: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """The ``realtime.response`` object of response.created/done."""
        return {
            "object": "realtime.response",
            "id": self.id,
            "status": status,
            "status_details": status_details,
            "output": output,
            "conversation_id": self.conversation_id,
            "output_modalities": [self.modality],
            "max_output_tokens": self.max_output_tokens,
            "audio": {
                "output": {
                    "format": {"type": "audio/pcm", "rate": SAMPLE_RATE},
                    "voice": self.voice,
                }
            },
            "usage": usage,
            "metadata": self.metadata,
        }

    def truncate(self, end_ms: int) -> None:
        """Forget audio after ``end_ms`` and the words that started after it."""
        kept = 0
        for mark_ms, length in self.text_marks:
            if mark_ms < end_ms:
                kept = length
        self.transcript = self.transcript[:kept]
        self.audio_bytes = min(self.audio_bytes, end_ms * BYTES_PER_MS)
        self.text_marks = [mark for mark in self.text_marks if mark[0] < end_ms]

    def _part_ref(self) -> dict[str, Any]:
        return {
            "response_id": self.id,
            "item_id": self.item_id,
            "output_index": 0,
            "content_index": 0,
        }

    def _part(self) -> dict[str, Any]:
        if self.modality == "audio":
            return {"type": "audio", "transcript": self.transcript}
        return {"type": "text", "text": self.transcript}

    def start_events(self) -> list[dict[str, Any]]:
        """response.created … content_part.added."""
        item = self.message_item("in_progress")
        events: list[dict[str, Any]] = [
            _event(
                "response.created", response=self.response_object("in_progress", None, [], None)
            ),
            _event("response.output_item.added", response_id=self.id, output_index=0, item=item),
        ]
        if self.in_conversation:
            events.append(
                _event("conversation.item.added", previous_item_id=self.previous_item_id, item=item)
            )
        events.append(_event("response.content_part.added", **self._part_ref(), part=self._part()))
        return events

    def output_events(self, pcm: bytes, text: str) -> list[dict[str, Any]]:
        """Deltas for one chunk: the words (if any) first, then the audio they belong to."""
        events: list[dict[str, Any]] = []
        if text:
            self.text_marks.append(
                (self.audio_bytes // BYTES_PER_MS, len(self.transcript) + len(text))
            )
            self.transcript += text
            kind = (
                "response.output_audio_transcript.delta"
                if self.modality == "audio"
                else "response.output_text.delta"
            )
            events.append(_event(kind, **self._part_ref(), delta=text, obfuscation=obfuscation()))
        if pcm and self.modality == "audio":
            self.audio_bytes += len(pcm)
            events.append(
                _event("response.output_audio.delta", **self._part_ref(), delta=encode_base64(pcm))
            )
        return events

    def finish_events(
        self, status: str, status_details: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        """The tail: *.done events, item done, response.done, rate_limits.updated."""
        item_status = "completed" if status == "completed" else "incomplete"
        events: list[dict[str, Any]] = []
        if self.modality == "audio":
            events.append(_event("response.output_audio.done", **self._part_ref()))
            events.append(
                _event(
                    "response.output_audio_transcript.done",
                    **self._part_ref(),
                    transcript=self.transcript,
                )
            )
        else:
            events.append(
                _event("response.output_text.done", **self._part_ref(), text=self.transcript)
            )
        events.append(_event("response.content_part.done", **self._part_ref(), part=self._part()))
        item = self.message_item(item_status)
        if self.in_conversation:
            events.append(
                _event("conversation.item.done", previous_item_id=self.previous_item_id, item=item)
            )
        events.append(
            _event("response.output_item.done", response_id=self.id, output_index=0, item=item)
        )
        usage = self._usage() if status != "failed" else _zero_usage()
        events.append(
            _event(
                "response.done",
                response=self.response_object(status, status_details, [item], usage),
            )
        )
        remaining = max(0, _RATE_LIMIT_TOKENS - usage["total_tokens"])
        events.append(
            _event(
                "rate_limits.updated",
                rate_limits=[
                    {
                        "name": "tokens",
                        "limit": _RATE_LIMIT_TOKENS,
                        "remaining": remaining,
                        "reset_seconds": 0.0,
                    }
                ],
            )
        )
        return events

    def _usage(self) -> dict[str, Any]:
        # Estimates only (≈4 characters per text token, 50 ms per audio token): there is no
        # tokenizer in the local engine, but bridges read these fields for metrics.
        text_in = -(-self.input_text_chars // 4)
        text_out = -(-len(self.transcript) // 4)
        audio_out = (self.audio_bytes // BYTES_PER_MS) // 50
        return {
            "total_tokens": text_in + text_out + audio_out,
            "input_tokens": text_in,
            "output_tokens": text_out + audio_out,
            "input_token_details": {
                "text_tokens": text_in,
                "audio_tokens": 0,
                "image_tokens": 0,
                "cached_tokens": 0,
                "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0},
            },
            "output_token_details": {"text_tokens": text_out, "audio_tokens": audio_out},
        }


def _zero_usage() -> dict[str, Any]:
    zero = ResponseState("", "", "text", "", False, None, None, "inf", None, 0)
    return zero._usage()


def _event(event_type: str, **fields: Any) -> dict[str, Any]:
    return {"type": event_type, "event_id": new_id("event"), **fields}


def server_event(event_type: str, **fields: Any) -> dict[str, Any]:
    """A server event with a fresh ``event_id`` (``type`` and ``event_id`` first, like GA)."""
    return _event(event_type, **fields)
