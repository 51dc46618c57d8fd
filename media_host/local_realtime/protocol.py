"""The GA Realtime protocol as a pure state machine: client events in, server events out.

No I/O happens here. Work that takes time (speech synthesis, transcription) is returned as
*requests* (:class:`SpeakRequest`, :class:`TranscribeRequest`) for the connection runner, which
feeds results back through :meth:`RealtimeProtocol.response_output`,
:meth:`RealtimeProtocol.response_finished`, :meth:`RealtimeProtocol.transcription_completed` …
Because everything runs on one event loop, a response cancelled here stops producing events at
once: later output for it is silently dropped.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from media_host.local_realtime.audio import BYTES_PER_MS, AudioDecodeError, decode_pcm16_base64
from media_host.local_realtime.errors import (
    ProtocolError,
    error_event,
    invalid_value,
    missing,
    new_id,
)
from media_host.local_realtime.responses import ResponseState, server_event
from media_host.local_realtime.schema import integer, nullable, obj, string
from media_host.local_realtime.session_config import (
    ACKNOWLEDGEMENTS,
    DEFAULT_INSTRUCTIONS,
    ITEM_SCHEMA,
    OPENAI_VOICES,
    SEMANTIC_SILENCE_MS,
    default_session,
    merge_session_update,
    validate_response,
    validate_session,
)
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.local_realtime.stt import Transcript
from media_host.local_realtime.vad import StreamingVad

_SAMPLES_PER_MS = 24
_MIN_COMMIT_MS = 100
_IDLE_KEEP_MS = 500  # audio kept before a VAD start (covers the start window + prefix padding)
CLIENT_EVENT_TYPES = (
    "session.update",
    "session.close",
    "input_audio_buffer.append",
    "session.input_audio_buffer.append",
    "input_audio_buffer.commit",
    "input_audio_buffer.clear",
    "conversation.item.create",
    "conversation.item.truncate",
    "conversation.item.delete",
    "conversation.item.retrieve",
    "response.create",
    "response.cancel",
)
_EVENT_ID = string(128)
_ENVELOPES = {
    "session.update": obj({"type": string(), "event_id": _EVENT_ID, "session": lambda v, p: v}),
    "session.close": obj({"type": string(), "event_id": _EVENT_ID}),
    "input_audio_buffer.append": obj(
        {"type": string(), "event_id": _EVENT_ID, "audio": string(64 * 1024 * 1024)},
        required=("audio",),
    ),
    "input_audio_buffer.commit": obj({"type": string(), "event_id": _EVENT_ID}),
    "input_audio_buffer.clear": obj({"type": string(), "event_id": _EVENT_ID}),
    "conversation.item.create": obj(
        {
            "type": string(),
            "event_id": _EVENT_ID,
            "previous_item_id": nullable(string(64)),
            "item": lambda v, p: v,
        },
        required=("item",),
    ),
    "conversation.item.truncate": obj(
        {
            "type": string(),
            "event_id": _EVENT_ID,
            "item_id": string(64),
            "content_index": integer(0, 1_000),
            "audio_end_ms": integer(0, 24 * 3600 * 1000),
        },
        required=("item_id", "content_index", "audio_end_ms"),
    ),
    "conversation.item.delete": obj(
        {"type": string(), "event_id": _EVENT_ID, "item_id": string(64)}, required=("item_id",)
    ),
    "conversation.item.retrieve": obj(
        {"type": string(), "event_id": _EVENT_ID, "item_id": string(64)}, required=("item_id",)
    ),
    "response.create": obj({"type": string(), "event_id": _EVENT_ID, "response": lambda v, p: v}),
    "response.cancel": obj({"type": string(), "event_id": _EVENT_ID, "response_id": string(64)}),
}
_ENVELOPES["session.input_audio_buffer.append"] = _ENVELOPES["input_audio_buffer.append"]


@dataclass(frozen=True)
class SpeakRequest:
    """Produce the output of response ``response_id``.

    Attributes:
        response_id: The response to feed.
        text: Text to speak (audio) or emit (text modality).
        voice: eSpeak NG voice name.
        modality: ``audio`` or ``text``.
        echo_pcm: Echo mode: stream these input bytes instead of synthesising ``text``.
    """

    response_id: str
    text: str
    voice: str
    modality: str
    echo_pcm: bytes | None = None


@dataclass(frozen=True)
class TranscribeRequest:
    """Transcribe a committed user audio item."""

    item_id: str
    pcm: bytes
    prompt: str
    language: str | None


@dataclass(frozen=True)
class CloseRequest:
    """Close the WebSocket with this code and reason after sending queued events."""

    code: int
    reason: str


Output = dict[str, Any] | SpeakRequest | TranscribeRequest | CloseRequest


@dataclass
class _Item:
    item: dict[str, Any]
    response: ResponseState | None = None  # set for assistant items this engine generated


class RealtimeProtocol:
    """State of one Realtime connection (session, input buffer, conversation, response).

    Args:
        settings: Engine settings (limits, mode, default voice, STT prompt).
        model: The model/deployment name the client connected with.
    """

    def __init__(self, settings: LocalRealtimeSettings, model: str) -> None:
        self._settings = settings
        self.session_id = new_id("sess")
        self._conversation_id = new_id("conv")
        self._session = default_session(
            self.session_id, model, settings.tts_voice, settings.max_session_seconds
        )
        self._items: OrderedDict[str, _Item] = OrderedDict()
        self._active: ResponseState | None = None
        self._buffer = bytearray()
        self._buffer_start = 0  # session-timeline sample index of _buffer[0]
        self._timeline = 0  # samples appended during the session
        self._vad: StreamingVad | None = None
        self._speech_item_id: str | None = None
        self._speech_start_ms = 0
        self._last_user_audio = b""
        self._reset_vad()

    # ------------------------------------------------------------------ public API

    @property
    def session(self) -> dict[str, Any]:
        """The current session configuration (GA shape)."""
        return self._session

    @property
    def active_response_id(self) -> str | None:
        """Id of the response currently generating, if any."""
        return self._active.id if self._active else None

    def open(self) -> list[Output]:
        """Events sent right after the WebSocket upgrade: ``session.created``."""
        return [server_event("session.created", session=self._session)]

    def handle(self, event: Any) -> list[Output]:
        """Process one parsed client event.

        Args:
            event: The JSON value of a text frame.

        Returns:
            Server events and work requests, in the order they must happen.
        """
        client_event_id = None
        if isinstance(event, dict) and isinstance(event.get("event_id"), str):
            client_event_id = event["event_id"][:128]
        try:
            if not isinstance(event, dict):
                raise ProtocolError("Invalid event: expected a JSON object.", "invalid_event", None)
            if "type" not in event:
                raise missing("type")
            kind = event["type"]
            if not isinstance(kind, str) or kind not in _ENVELOPES:
                raise invalid_value(kind, list(CLIENT_EVENT_TYPES), "type")
            _ENVELOPES[kind](event, "")
            handler = getattr(
                self,
                "_on_"
                + kind.replace("session.input_audio_buffer", "input_audio_buffer").replace(
                    ".", "_"
                ),
            )
            outputs: list[Output] = handler(event)
            return outputs
        except ProtocolError as exc:
            return [error_event(exc, client_event_id)]

    def invalid_json(self) -> list[Output]:
        """Reply to a text frame that is not JSON."""
        return [
            error_event(
                ProtocolError("Invalid event: failed to parse JSON value.", "invalid_json", None)
            )
        ]

    def binary_frame(self) -> list[Output]:
        """Reply to a binary frame (only text frames carry events)."""
        return [
            error_event(
                ProtocolError(
                    "Expected a text WebSocket message; binary frames are not supported.",
                    "invalid_event",
                    None,
                )
            )
        ]

    def oversize_frame(self, size: int) -> list[Output]:
        """Reply to a frame larger than ``max_message_bytes``."""
        limit = self._settings.max_message_bytes
        return [
            error_event(
                ProtocolError(
                    f"Invalid event: message of {size} bytes exceeds the maximum of {limit} bytes.",
                    "message_too_large",
                    None,
                )
            )
        ]

    def response_output(self, response_id: str, pcm: bytes, text: str) -> list[Output]:
        """Deltas for produced output; empty if the response is no longer active."""
        if self._active is None or self._active.id != response_id:
            return []
        return list(self._active.output_events(pcm, text))

    def is_active(self, response_id: str) -> bool:
        """Whether ``response_id`` is still generating."""
        return self._active is not None and self._active.id == response_id

    def response_finished(self, response_id: str) -> list[Output]:
        """The completed tail of ``response_id`` (nothing if it was cancelled meanwhile)."""
        if not self.is_active(response_id):
            return []
        return self._finish_active("completed", None)

    def response_failed(self, response_id: str, message: str) -> list[Output]:
        """A ``response.done`` with status ``failed`` (e.g. the voice does not exist)."""
        if not self.is_active(response_id):
            return []
        details = {
            "type": "failed",
            "error": {
                "type": "server_error",
                "code": "speech_synthesis_failed",
                "message": message,
            },
        }
        return self._finish_active("failed", details)

    def transcription_completed(self, item_id: str, transcript: Transcript) -> list[Output]:
        """Input transcription deltas then ``.completed`` for a user audio item."""
        text = transcript.text
        events: list[Output] = []
        words = text.split(" ") if text else []
        for index, word in enumerate(words):
            events.append(
                server_event(
                    "conversation.item.input_audio_transcription.delta",
                    item_id=item_id,
                    content_index=0,
                    delta=word if index == 0 else " " + word,
                )
            )
        record = self._items.get(item_id)
        if record is not None:
            record.item["content"][0]["transcript"] = text
        events.append(
            server_event(
                "conversation.item.input_audio_transcription.completed",
                item_id=item_id,
                content_index=0,
                transcript=text,
                usage={"type": "duration", "seconds": round(transcript.audio_seconds, 3)},
            )
        )
        return events

    def transcription_failed(self, item_id: str) -> list[Output]:
        """``conversation.item.input_audio_transcription.failed`` for ``item_id``."""
        return [
            server_event(
                "conversation.item.input_audio_transcription.failed",
                item_id=item_id,
                content_index=0,
                error={
                    "type": "transcription_error",
                    "code": "audio_unintelligible",
                    "message": "The audio could not be transcribed.",
                    "param": None,
                },
            )
        ]

    # ------------------------------------------------------------------ session

    def _on_session_update(self, event: dict[str, Any]) -> list[Output]:
        update = validate_session(event.get("session"))
        session = merge_session_update(self._session, update)
        detection_changed = (
            session["audio"]["input"]["turn_detection"]
            != self._session["audio"]["input"]["turn_detection"]
        )
        self._session = session
        if detection_changed:
            self._reset_vad()
        return [server_event("session.updated", session=self._session)]

    def _on_session_close(self, _event: dict[str, Any]) -> list[Output]:
        outputs = self._cancel_active("client_cancelled")
        outputs.append(CloseRequest(1000, "session closed"))
        return outputs

    # ------------------------------------------------------------------ input audio

    def _reset_vad(self) -> None:
        detection = self._session["audio"]["input"]["turn_detection"]
        self._speech_item_id = None
        if detection is None:
            self._vad = None
            return
        if detection["type"] == "semantic_vad":
            threshold, silence = 0.5, SEMANTIC_SILENCE_MS[detection["eagerness"]]
        else:
            threshold, silence = detection["threshold"], detection["silence_duration_ms"]
        self._vad = StreamingVad(
            threshold, silence, self._settings.max_utterance_ms, self._timeline // _SAMPLES_PER_MS
        )

    def _on_input_audio_buffer_append(self, event: dict[str, Any]) -> list[Output]:
        try:
            pcm = decode_pcm16_base64(event["audio"], self._settings.max_message_bytes)
        except AudioDecodeError as exc:
            raise ProtocolError(f"Invalid 'audio': {exc}.", "invalid_value", "audio") from exc
        self._buffer += pcm
        self._timeline += len(pcm) // 2
        outputs: list[Output] = []
        if self._vad is not None:
            for edge in self._vad.feed(pcm):
                if edge.kind == "start":
                    outputs += self._speech_started(edge.at_ms)
                else:
                    outputs += self._speech_stopped(edge.at_ms)
        self._bound_buffer()
        return outputs

    def _bound_buffer(self) -> None:
        if self._vad is not None and self._speech_item_id is None:
            keep_ms = _IDLE_KEEP_MS + self._prefix_padding_ms()
        else:
            keep_ms = self._settings.max_input_buffer_ms
        excess = len(self._buffer) - keep_ms * BYTES_PER_MS
        if excess > 0:
            excess += excess % 2
            del self._buffer[:excess]
            self._buffer_start += excess // 2

    def _prefix_padding_ms(self) -> int:
        detection = self._session["audio"]["input"]["turn_detection"] or {}
        return int(detection.get("prefix_padding_ms", 300))

    def _speech_started(self, at_ms: int) -> list[Output]:
        buffer_start_ms = -(-self._buffer_start // _SAMPLES_PER_MS)
        self._speech_start_ms = max(buffer_start_ms, at_ms - self._prefix_padding_ms())
        self._speech_item_id = new_id("item")
        outputs: list[Output] = [
            server_event(
                "input_audio_buffer.speech_started",
                audio_start_ms=self._speech_start_ms,
                item_id=self._speech_item_id,
            )
        ]
        detection = self._session["audio"]["input"]["turn_detection"]
        if detection and detection.get("interrupt_response", True):
            outputs += self._cancel_active("turn_detected")
        return outputs

    def _speech_stopped(self, at_ms: int) -> list[Output]:
        item_id = self._speech_item_id or new_id("item")
        self._speech_item_id = None
        outputs: list[Output] = [
            server_event("input_audio_buffer.speech_stopped", audio_end_ms=at_ms, item_id=item_id)
        ]
        start = self._speech_start_ms * _SAMPLES_PER_MS - self._buffer_start
        end = min(at_ms * _SAMPLES_PER_MS, self._timeline) - self._buffer_start
        pcm = bytes(self._buffer[max(0, start) * 2 : max(0, end) * 2])
        del self._buffer[: max(0, end) * 2]
        self._buffer_start += max(0, end)
        outputs += self._commit(item_id, pcm)
        detection = self._session["audio"]["input"]["turn_detection"] or {}
        if detection.get("create_response", True) and self._active is None:
            outputs += self._start_response({}, echo_pcm=pcm)
        return outputs

    def _on_input_audio_buffer_commit(self, _event: dict[str, Any]) -> list[Output]:
        buffered_ms = len(self._buffer) / BYTES_PER_MS
        if buffered_ms < _MIN_COMMIT_MS:
            raise ProtocolError(
                "Error committing input audio buffer: buffer too small. Expected at least "
                f"{_MIN_COMMIT_MS}ms of audio, but buffer only has {buffered_ms:.2f}ms of audio.",
                "input_audio_buffer_commit_empty",
                None,
            )
        item_id = self._speech_item_id or new_id("item")
        pcm = bytes(self._buffer)
        self._buffer_start = self._timeline
        self._buffer.clear()
        self._reset_vad()
        outputs = self._commit(item_id, pcm)
        if self._settings.mode == "echo" and self._active is None:
            outputs += self._start_response({}, echo_pcm=pcm)
        return outputs

    def _on_input_audio_buffer_clear(self, _event: dict[str, Any]) -> list[Output]:
        self._buffer_start = self._timeline
        self._buffer.clear()
        self._reset_vad()
        return [server_event("input_audio_buffer.cleared")]

    def _commit(self, item_id: str, pcm: bytes) -> list[Output]:
        previous = self._last_item_id()
        item = {
            "id": item_id,
            "type": "message",
            "status": "completed",
            "role": "user",
            "content": [{"type": "input_audio", "transcript": None}],
        }
        self._remember(_Item(item))
        self._last_user_audio = pcm
        outputs: list[Output] = [
            server_event(
                "input_audio_buffer.committed", previous_item_id=previous, item_id=item_id
            ),
            server_event("conversation.item.added", previous_item_id=previous, item=item),
            server_event("conversation.item.done", previous_item_id=previous, item=item),
        ]
        transcription = self._session["audio"]["input"]["transcription"]
        if transcription is not None and self._settings.mode == "speech":
            outputs.append(
                TranscribeRequest(
                    item_id,
                    pcm,
                    transcription.get("prompt") or self._settings.stt_prompt,
                    transcription.get("language"),
                )
            )
        return outputs

    # ------------------------------------------------------------------ conversation

    def _last_item_id(self) -> str | None:
        return next(reversed(self._items)) if self._items else None

    def _remember(self, record: _Item) -> None:
        self._items[record.item["id"]] = record
        while len(self._items) > self._settings.max_conversation_items:
            self._items.popitem(last=False)

    def _on_conversation_item_create(self, event: dict[str, Any]) -> list[Output]:
        item: dict[str, Any] = ITEM_SCHEMA(event["item"], "item")
        previous = event.get("previous_item_id")
        if previous is not None and previous != "root" and previous not in self._items:
            raise ProtocolError(
                f"Previous item with id '{previous}' not found.",
                "invalid_value",
                "previous_item_id",
            )
        if item["type"] == "item_reference":
            raise invalid_value(
                "item_reference", ["message", "function_call", "function_call_output"], "item.type"
            )
        item_id = item.get("id") or new_id("item")
        if item_id in self._items:
            raise ProtocolError(
                f"Item with id '{item_id}' already exists.", "invalid_value", "item.id"
            )
        stored = {k: v for k, v in item.items() if k != "object"}
        stored["id"] = item_id
        stored["status"] = "completed"
        if stored["type"] == "message":
            stored["content"] = [
                {k: v for k, v in part.items() if k != "audio"} for part in stored["content"]
            ]
        reported_previous = previous if previous is not None else self._last_item_id()
        self._remember(_Item(stored))
        return [
            server_event(
                "conversation.item.added", previous_item_id=reported_previous, item=stored
            ),
            server_event("conversation.item.done", previous_item_id=reported_previous, item=stored),
        ]

    def _find(self, item_id: str) -> _Item:
        record = self._items.get(item_id)
        if record is None:
            raise ProtocolError(
                f"Conversation item with id '{item_id}' not found.", "item_not_found", "item_id"
            )
        return record

    def _on_conversation_item_delete(self, event: dict[str, Any]) -> list[Output]:
        self._find(event["item_id"])
        del self._items[event["item_id"]]
        return [server_event("conversation.item.deleted", item_id=event["item_id"])]

    def _on_conversation_item_retrieve(self, event: dict[str, Any]) -> list[Output]:
        record = self._find(event["item_id"])
        return [server_event("conversation.item.retrieved", item=record.item)]

    def _on_conversation_item_truncate(self, event: dict[str, Any]) -> list[Output]:
        record = self._find(event["item_id"])
        response = record.response
        if response is None or response.modality != "audio":
            raise ProtocolError(
                "Only assistant messages with audio content can be truncated.",
                "invalid_value",
                "item_id",
            )
        if event["content_index"] != 0:
            raise ProtocolError(
                f"Invalid 'content_index': no content part at index {event['content_index']}.",
                "invalid_value",
                "content_index",
            )
        requested = event["audio_end_ms"]
        available = response.audio_bytes // BYTES_PER_MS
        outputs: list[Output] = []
        if requested > available:
            # The hosted service reports the overshoot and still truncates at the real length.
            outputs.append(
                error_event(
                    ProtocolError(
                        f"Audio content of {available}ms is already shorter than {requested}ms"
                    ),
                    event.get("event_id"),
                )
            )
        end_ms = min(requested, available)
        kept = 0
        for mark_ms, length in response.text_marks:
            if mark_ms < end_ms:
                kept = length
        response.transcript = response.transcript[:kept]
        response.audio_bytes = end_ms * BYTES_PER_MS
        response.text_marks = [m for m in response.text_marks if m[0] < end_ms]
        if record.item.get("content"):
            record.item["content"][0]["transcript"] = response.transcript
        outputs.append(
            server_event(
                "conversation.item.truncated",
                item_id=event["item_id"],
                content_index=0,
                audio_end_ms=end_ms,
            )
        )
        return outputs

    # ------------------------------------------------------------------ responses

    def _on_response_create(self, event: dict[str, Any]) -> list[Output]:
        params = validate_response(event.get("response"))
        if self._active is not None:
            raise ProtocolError(
                f"Conversation already has an active response in progress: {self._active.id}. "
                "Wait until the response is finished before creating a new one.",
                "conversation_already_has_active_response",
                None,
            )
        return self._start_response(params, echo_pcm=self._last_user_audio)

    def _on_response_cancel(self, event: dict[str, Any]) -> list[Output]:
        wanted = event.get("response_id")
        if self._active is None or (wanted is not None and wanted != self._active.id):
            raise ProtocolError(
                "Cancellation failed: no active response found", "response_cancel_not_active", None
            )
        return self._cancel_active("client_cancelled")

    def _cancel_active(self, reason: str) -> list[Output]:
        if self._active is None:
            return []
        return self._finish_active("cancelled", {"type": "cancelled", "reason": reason})

    def _finish_active(self, status: str, details: dict[str, Any] | None) -> list[Output]:
        assert self._active is not None
        response, self._active = self._active, None
        if response.in_conversation and response.item_id in self._items:
            item_status = "completed" if status == "completed" else "incomplete"
            self._items[response.item_id].item = response.message_item(item_status)
        return list(response.finish_events(status, details))

    def _start_response(self, params: dict[str, Any], echo_pcm: bytes) -> list[Output]:
        session = self._session
        modality = (params.get("output_modalities") or session["output_modalities"])[0]
        voice = (
            params.get("audio", {}).get("output", {}).get("voice")
            or session["audio"]["output"]["voice"]
        )
        in_conversation = params.get("conversation", "auto") == "auto"
        instructions = params.get("instructions", session["instructions"])
        response = ResponseState(
            id=new_id("resp"),
            item_id=new_id("item"),
            modality=modality,
            voice=voice,
            in_conversation=in_conversation,
            previous_item_id=self._last_item_id() if in_conversation else None,
            conversation_id=self._conversation_id if in_conversation else None,
            max_output_tokens=params.get("max_output_tokens", session["max_output_tokens"]),
            metadata=params.get("metadata"),
            input_text_chars=len(instructions),
        )
        self._active = response
        if in_conversation:
            self._remember(_Item(response.message_item("in_progress"), response))
        echo = echo_pcm if self._settings.mode == "echo" else None
        text = "" if echo is not None else self._text_to_speak(params)
        return [
            *response.start_events(),
            SpeakRequest(response.id, text, self._espeak_voice(voice), modality, echo),
        ]

    def _language(self) -> str:
        transcription = self._session["audio"]["input"]["transcription"] or {}
        language = str(transcription.get("language") or "en").lower()
        return "es" if language.startswith("es") else "en"

    def _espeak_voice(self, voice: str) -> str:
        if voice in OPENAI_VOICES:
            return "es" if self._language() == "es" else self._settings.tts_voice
        return voice

    def _text_to_speak(self, params: dict[str, Any]) -> str:
        # No language model: the response's instructions are spoken verbatim; otherwise the last
        # line of the session instructions; otherwise a fixed acknowledgement.
        text = params.get("instructions")
        if text is None:
            session_text = self._session["instructions"]
            lines = [line.strip() for line in session_text.splitlines() if line.strip()]
            if session_text == DEFAULT_INSTRUCTIONS or not lines:
                text = ACKNOWLEDGEMENTS[self._language()]
            else:
                text = lines[-1]
        return " ".join(text.split())[: self._settings.max_response_chars]
