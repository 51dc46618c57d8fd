"""End-to-end speech: eSpeak NG patient audio → VAD → Whisper transcription, and the engine's own
TTS output recognised again by Whisper. Real models, so these are the slow tests."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from media_host.local_realtime import LocalRealtimeServer, LocalRealtimeSettings
from media_host.local_realtime.settings import DEFAULT_STT_PROMPT
from media_host.local_realtime.stt import WhisperTranscriber
from tests.fixtures.speech import silence_pcm16, synthesize_pcm16_24k
from tests.local_realtime.conftest import (
    append_audio,
    collect_until,
    collect_until_all,
    next_event,
    sdk_client,
    types_of,
)

_TRANSCRIBED_TURN = {
    "type": "realtime",
    "audio": {
        "input": {
            "transcription": {"model": "whisper-1", "language": "en"},
            "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
        }
    },
}


@pytest.mark.slow
async def test_spoken_turn_is_segmented_transcribed_and_answered(
    server: LocalRealtimeServer,
) -> None:
    utterance = synthesize_pcm16_24k("I have had chest pain since this morning.")
    async with sdk_client(server).realtime.connect(model="gpt-realtime") as conn:
        await next_event(conn)
        await conn.session.update(session=_TRANSCRIBED_TURN)  # type: ignore[arg-type]
        await collect_until(conn, lambda e: e.type == "session.updated")
        await append_audio(conn, silence_pcm16(500) + utterance + silence_pcm16(1000), realtime=8)
        # Transcription is asynchronous: it may finish before or after the response.
        got = await collect_until_all(
            conn, {"conversation.item.input_audio_transcription.completed", "response.done"}
        )
    kinds = types_of(got)
    assert kinds[:6] == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.added",
        "conversation.item.done",
        "response.created",
    ]
    user_item = got[2].item_id
    assert got[0].item_id == got[1].item_id == user_item
    assert 0 < got[0].audio_start_ms <= 500 < got[1].audio_end_ms
    completed = next(e for e in got if e.type.endswith("input_audio_transcription.completed"))
    assert completed.item_id == user_item and completed.content_index == 0
    words = completed.transcript.lower()
    assert "chest" in words and "pain" in words
    deltas = "".join(e.delta for e in got if e.type.endswith("input_audio_transcription.delta"))
    assert deltas == completed.transcript
    answer = next(e for e in got if e.type == "response.done").response
    assert answer.status == "completed"
    assert answer.output[0].content[0].transcript == "Thank you. Please go on."


@pytest.mark.slow
async def test_engine_speech_is_intelligible_to_whisper(server: LocalRealtimeServer) -> None:
    async with sdk_client(server).realtime.connect(model="gpt-realtime") as conn:
        await next_event(conn)
        await conn.response.create(response={"instructions": "Please describe your chest pain."})
        got = await collect_until(conn, lambda e: e.type == "response.done")
    audio = b"".join(
        base64.b64decode(e.delta) for e in got if e.type == "response.output_audio.delta"
    )
    heard = (await WhisperTranscriber().transcribe(audio, DEFAULT_STT_PROMPT)).text.lower()
    assert "describe" in heard and "chest" in heard and "pain" in heard


async def test_transcription_failure_is_reported_not_fatal() -> None:
    settings = LocalRealtimeSettings(stt_model_path="/nonexistent/whisper", output_pace_factor=0)
    async with (
        LocalRealtimeServer(settings) as server,
        sdk_client(server).realtime.connect(model="gpt-realtime") as conn,
    ):
        await next_event(conn)
        await conn.session.update(session=_TRANSCRIBED_TURN)  # type: ignore[arg-type]
        await append_audio(conn, synthesize_pcm16_24k("Hello there.") + silence_pcm16(800))
        got = await collect_until(
            conn, lambda e: e.type.endswith("input_audio_transcription.failed")
        )
        committed = next(e for e in got if e.type == "input_audio_buffer.committed")
        assert got[-1].item_id == committed.item_id
        assert got[-1].error.code == "audio_unintelligible"
        await conn.response.create(response={"instructions": "Still here."})
        done = await collect_until(conn, lambda e: e.type == "response.done")
        assert done[-1].response.status in {"completed", "cancelled"}


async def test_non_english_transcription_fails_clearly_with_english_only_model(
    server: LocalRealtimeServer,
) -> None:
    session = {
        "type": "realtime",
        "audio": {"input": {"transcription": {"model": "whisper-1", "language": "es"}}},
    }
    async with sdk_client(server).realtime.connect(model="gpt-realtime") as conn:
        await next_event(conn)
        await conn.session.update(session=session)  # type: ignore[arg-type]
        spanish = synthesize_pcm16_24k("Me duele el pecho.", voice="es")
        await append_audio(conn, silence_pcm16(300) + spanish + silence_pcm16(800))
        got = await collect_until_all(
            conn, {"conversation.item.input_audio_transcription.failed", "response.done"}
        )
    failed = next(e for e in got if e.type.endswith("input_audio_transcription.failed"))
    assert failed.error.code == "unsupported_language"
    answer = [e for e in got if e.type == "response.output_audio_transcript.delta"]
    assert "".join(e.delta for e in answer) == "Gracias. Continúe, por favor."


@pytest.mark.slow
async def test_cancelled_transcription_keeps_its_slot_until_the_decode_ends() -> None:
    import asyncio
    import threading

    class CountingTranscriber(WhisperTranscriber):
        """Records how many decodes ever ran at the same time."""

        def __init__(self) -> None:
            super().__init__(max_concurrency=1)
            self.running = self.peak = 0
            self.lock = threading.Lock()

        def _transcribe_blocking(self, *args: Any) -> Any:
            with self.lock:
                self.running += 1
                self.peak = max(self.peak, self.running)
            try:
                return super()._transcribe_blocking(*args)
            finally:
                with self.lock:
                    self.running -= 1

    transcriber = CountingTranscriber()
    await asyncio.to_thread(transcriber.warm_up)
    audio = synthesize_pcm16_24k("I have a sore throat and a runny nose since last week.")
    first = asyncio.create_task(transcriber.transcribe(audio))
    await asyncio.sleep(0.05)  # the first decode is running in its thread
    first.cancel()
    result = await transcriber.transcribe(audio)
    assert result.text
    assert transcriber.peak == 1
    with pytest.raises(asyncio.CancelledError):
        await first
