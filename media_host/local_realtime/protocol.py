"""The GA Realtime protocol as a pure state machine: client events in, server events out.

No I/O happens here. Work that takes time (speech synthesis, transcription) is returned as
*requests* (:class:`SpeakRequest`, :class:`TranscribeRequest`) for the connection runner, which
feeds results back through :meth:`RealtimeProtocol.response_output`,
:meth:`RealtimeProtocol.response_finished`, :meth:`RealtimeProtocol.transcription_completed` …
Because everything runs on one event loop, a response cancelled here stops producing events at
once: later output for it is silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from media_host.local_realtime.audio import AudioDecodeError, decode_pcm16_base64
from media_host.local_realtime.client_events import validate_envelope
from media_host.local_realtime.conversation import Conversation, ConversationItem
from media_host.local_realtime.errors import (
    ProtocolError,
    error_event,
    new_id,
    obfuscation,
)
from media_host.local_realtime.input_buffer import InputAudioBuffer, SpeechStart
from media_host.local_realtime.responses import ResponseState, server_event
from media_host.local_realtime.session_config import (
    ACKNOWLEDGEMENTS,
    DEFAULT_INSTRUCTIONS,
    OPENAI_VOICES,
    default_session,
    merge_session_update,
    validate_response,
    validate_session,
)
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.local_realtime.stt import Transcript


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
        self._conversation = Conversation(settings.max_conversation_items)
        self._active: ResponseState | None = None
        self._input = InputAudioBuffer(settings.max_input_buffer_ms, settings.max_utterance_ms)
        self._input.configure(self._turn_detection())
        self._last_user_audio = b""

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
            kind = validate_envelope(event)
            handler = getattr(self, "_on_" + kind.replace(".", "_"))
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
                    obfuscation=obfuscation(),
                )
            )
        record = self._conversation.get(item_id)
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

    def transcription_failed(
        self,
        item_id: str,
        code: str = "audio_unintelligible",
        message: str = "The audio could not be transcribed.",
    ) -> list[Output]:
        """``conversation.item.input_audio_transcription.failed`` for ``item_id``."""
        return [
            server_event(
                "conversation.item.input_audio_transcription.failed",
                item_id=item_id,
                content_index=0,
                error={
                    "type": "transcription_error",
                    "code": code,
                    "message": message,
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
            self._input.configure(self._turn_detection())
        return [server_event("session.updated", session=self._session)]

    def _on_session_close(self, _event: dict[str, Any]) -> list[Output]:
        outputs = self._cancel_active("client_cancelled")
        outputs.append(CloseRequest(1000, "session closed"))
        return outputs

    # ------------------------------------------------------------------ input audio

    def _turn_detection(self) -> dict[str, Any] | None:
        detection: dict[str, Any] | None = self._session["audio"]["input"]["turn_detection"]
        return detection

    def _on_input_audio_buffer_append(self, event: dict[str, Any]) -> list[Output]:
        try:
            pcm = decode_pcm16_base64(event["audio"], self._settings.max_message_bytes)
        except AudioDecodeError as exc:
            raise ProtocolError(f"Invalid 'audio': {exc}.", "invalid_value", "audio") from exc
        outputs: list[Output] = []
        for signal in self._input.append(pcm):
            if isinstance(signal, SpeechStart):
                outputs += self._speech_started(signal)
            else:
                outputs.append(
                    server_event(
                        "input_audio_buffer.speech_stopped",
                        audio_end_ms=signal.audio_end_ms,
                        item_id=signal.item_id,
                    )
                )
                outputs += self._commit(signal.item_id, signal.pcm)
                detection = self._turn_detection() or {}
                if detection.get("create_response", True) and self._active is None:
                    outputs += self._start_response({}, echo_pcm=signal.pcm)
        return outputs

    def _speech_started(self, signal: SpeechStart) -> list[Output]:
        outputs: list[Output] = [
            server_event(
                "input_audio_buffer.speech_started",
                audio_start_ms=signal.audio_start_ms,
                item_id=signal.item_id,
            )
        ]
        detection = self._turn_detection()
        interrupt = detection is not None and detection.get("interrupt_response", True)
        # Like the hosted service, only responses in the default conversation are interrupted.
        if interrupt and self._active is not None and self._active.in_conversation:
            outputs += self._cancel_active("turn_detected")
        return outputs

    def _on_input_audio_buffer_commit(self, _event: dict[str, Any]) -> list[Output]:
        item_id, pcm = self._input.commit()
        outputs = self._commit(item_id, pcm)
        if self._settings.mode == "echo" and self._active is None:
            outputs += self._start_response({}, echo_pcm=pcm)
        return outputs

    def _on_input_audio_buffer_clear(self, _event: dict[str, Any]) -> list[Output]:
        self._input.clear()
        return [server_event("input_audio_buffer.cleared")]

    def _commit(self, item_id: str, pcm: bytes) -> list[Output]:
        previous = self._conversation.last_item_id()
        item = self._conversation.user_audio_item(item_id)
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

    def _on_conversation_item_create(self, event: dict[str, Any]) -> list[Output]:
        return list(self._conversation.create(event))

    def _on_conversation_item_delete(self, event: dict[str, Any]) -> list[Output]:
        return list(self._conversation.delete(event["item_id"]))

    def _on_conversation_item_retrieve(self, event: dict[str, Any]) -> list[Output]:
        return list(self._conversation.retrieve(event["item_id"]))

    def _on_conversation_item_truncate(self, event: dict[str, Any]) -> list[Output]:
        return list(self._conversation.truncate(event))

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
        record = self._conversation.get(response.item_id)
        if response.in_conversation and record is not None:
            item_status = "completed" if status == "completed" else "incomplete"
            record.item = response.message_item(item_status)
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
            previous_item_id=self._conversation.last_item_id() if in_conversation else None,
            conversation_id=self._conversation_id if in_conversation else None,
            max_output_tokens=params.get("max_output_tokens", session["max_output_tokens"]),
            metadata=params.get("metadata"),
            input_text_chars=len(instructions),
        )
        self._active = response
        if in_conversation:
            self._conversation.add(ConversationItem(response.message_item("in_progress"), response))
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
        # line of the session instructions; otherwise a fixed acknowledgement. In both texts a
        # triple-quoted block marks the exact words to say (the rest is guidance for a model).
        text = params.get("instructions")
        if text is None:
            session_text = self._session["instructions"]
            quoted = _last_quoted_block(session_text)
            lines = [line.strip() for line in session_text.splitlines() if line.strip()]
            if quoted is not None:
                text = quoted
            elif session_text == DEFAULT_INSTRUCTIONS or not lines:
                text = ACKNOWLEDGEMENTS[self._language()]
            else:
                text = lines[-1]
        else:
            text = _last_quoted_block(text) or text
        return " ".join(text.split())[: self._settings.max_response_chars]


_QUOTED_BLOCK = re.compile(r'"""(.*?)"""', re.DOTALL)


def _last_quoted_block(text: str) -> str | None:
    """The last non-empty block of ``text`` between triple double quotes, if any."""
    blocks = [block.strip() for block in _QUOTED_BLOCK.findall(text) if block.strip()]
    return blocks[-1] if blocks else None
