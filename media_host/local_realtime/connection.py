"""Runs one WebSocket connection: feeds client frames to the protocol state machine, sends its
events through a single ordered writer, and executes its speech work (TTS, STT) off the loop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from media_host.local_realtime.audio import BYTES_PER_MS
from media_host.local_realtime.errors import ProtocolError, error_event
from media_host.local_realtime.protocol import (
    CloseRequest,
    Output,
    RealtimeProtocol,
    SpeakRequest,
    TranscribeRequest,
)
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.local_realtime.stt import TranscriptionError, WhisperTranscriber
from media_host.local_realtime.tts import EspeakSynthesizer, SpeechSynthesisError, split_sentences

log = logging.getLogger(__name__)

_MAX_PENDING_TRANSCRIPTIONS = 8
_SERVER_ERROR = ProtocolError(
    "The server had an error while processing your request.", None, None, "server_error"
)
_MAX_QUEUED_EVENTS = 512  # output pacing waits while the client is this far behind


@dataclass
class ConnectionRecord:
    """What a test may inspect about one connection (bounded).

    Attributes:
        connection_id: Server-local sequence number.
        path: Request path, e.g. ``/v1/realtime``.
        query: Query parameters (``model``, ``api-version``, ``deployment`` …).
        headers: Request headers, lower-cased names (includes ``authorization``/``api-key``).
        events: Client events received (``audio`` of appends replaced by its length).
        session_id: Id announced in ``session.created`` (None if rejected before).
        close_code: Close code the server sent, if it closed the connection.
    """

    connection_id: int
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    events: deque[dict[str, Any]]
    session_id: str | None = None
    close_code: int | None = None


def summarize_for_log(event: Any) -> dict[str, Any]:
    """The record kept for a received client event: a dict, bulky audio replaced by its size."""
    if not isinstance(event, dict):
        return {"type": "<non-object>", "json_type": type(event).__name__}
    if isinstance(event.get("audio"), str):
        return {**event, "audio": f"<{len(event['audio'])} base64 chars>"}
    return event


class ConnectionRunner:
    """Drives one accepted connection until it closes.

    Args:
        websocket: The accepted server connection.
        settings: Engine settings.
        protocol: Fresh state machine for this connection.
        record: Introspection record to fill.
        on_event: Called with each received client event (for the server-wide log).
        transcriber: Shared STT engine.
        synthesizer: Shared TTS engine.
    """

    def __init__(
        self,
        websocket: ServerConnection,
        settings: LocalRealtimeSettings,
        protocol: RealtimeProtocol,
        record: ConnectionRecord,
        on_event: Callable[[dict[str, Any]], None],
        transcriber: WhisperTranscriber,
        synthesizer: EspeakSynthesizer,
    ) -> None:
        self._ws = websocket
        self._settings = settings
        self._protocol = protocol
        self._record = record
        self._on_event = on_event
        self._transcriber = transcriber
        self._synthesizer = synthesizer
        self._queue: asyncio.Queue[dict[str, Any] | CloseRequest] = asyncio.Queue()
        self._speaking: asyncio.Task[None] | None = None
        self._transcribing: set[asyncio.Task[None]] = set()
        self._drained = asyncio.Event()

    async def run(self) -> None:
        """Serve the connection until the client leaves or the session ends."""
        writer = asyncio.create_task(self._write_loop())
        expiry = asyncio.get_running_loop().call_later(
            self._settings.max_session_seconds, self._expire
        )
        try:
            self._apply(self._protocol.open())
            async for message in self._ws:
                try:
                    outputs = self._process(message)
                except Exception:  # a bug must cost one event, not the caller's session
                    log.exception("client event processing failed")
                    outputs = [error_event(_SERVER_ERROR)]
                self._apply(outputs)
                if writer.done():
                    break
        except ConnectionClosed:
            pass
        finally:
            expiry.cancel()
            for task in [self._speaking, *self._transcribing]:
                if task is not None:
                    task.cancel()
            with contextlib.suppress(asyncio.TimeoutError, ConnectionClosed):
                self._queue.put_nowait(CloseRequest(1000, ""))
                await asyncio.wait_for(writer, timeout=5)
            writer.cancel()

    def _process(self, message: str | bytes) -> list[Output]:
        if isinstance(message, bytes):
            self._log_event({"type": "<binary frame>", "bytes": len(message)})
            return self._protocol.binary_frame()
        size = len(message.encode("utf-8"))
        if size > self._settings.max_message_bytes:
            self._log_event({"type": "<oversize frame>", "bytes": size})
            return self._protocol.oversize_frame(size)
        try:
            event = json.loads(message)
        except (ValueError, RecursionError):
            self._log_event({"type": "<invalid json>", "chars": len(message)})
            return self._protocol.invalid_json()
        self._log_event(summarize_for_log(event))
        return self._protocol.handle(event)

    def _log_event(self, event: dict[str, Any]) -> None:
        self._record.events.append(event)
        self._on_event(event)

    def _expire(self) -> None:
        minutes = round(self._settings.max_session_seconds / 60)
        self._queue.put_nowait(
            CloseRequest(1001, f"Your session hit the maximum duration of {minutes} minutes.")
        )

    # ------------------------------------------------------------------ outputs

    def _apply(self, outputs: list[Output]) -> None:
        """Queue events in order and start requested work (never blocks)."""
        for output in outputs:
            if isinstance(output, dict | CloseRequest):
                self._queue.put_nowait(output)
            elif isinstance(output, SpeakRequest):
                # The machine guarantees one active response; the old task is already stale.
                self._speaking = asyncio.create_task(self._speak(output))
            elif isinstance(output, TranscribeRequest):
                self._start_transcription(output)

    async def _write_loop(self) -> None:
        while True:
            item = await self._queue.get()
            if self._queue.qsize() <= _MAX_QUEUED_EVENTS // 2:
                self._drained.set()
            if isinstance(item, CloseRequest):
                self._record.close_code = item.code
                await self._ws.close(item.code, item.reason)
                return
            await self._ws.send(json.dumps(item))

    # ------------------------------------------------------------------ speech work

    async def _speak(self, request: SpeakRequest) -> None:
        protocol = self._protocol
        chunk_bytes = self._settings.output_chunk_ms * BYTES_PER_MS
        started = time.monotonic()
        sent_ms = 0
        try:
            for sentence, words in _sentences_with_words(request):
                if request.echo_pcm is not None:
                    pcm = request.echo_pcm
                elif request.modality == "audio":
                    pcm = await asyncio.to_thread(
                        self._synthesizer.synthesize, sentence, request.voice
                    )
                else:
                    pcm = b""
                chunks = [pcm[i : i + chunk_bytes] for i in range(0, len(pcm), chunk_bytes)]
                chunks = chunks or [b""]
                per_chunk: list[list[str]] = [[] for _ in chunks]
                for index, word in enumerate(words):
                    per_chunk[index * len(chunks) // len(words)].append(word)
                for chunk, chunk_words in zip(chunks, per_chunk, strict=True):
                    if not protocol.is_active(request.response_id):
                        return  # cancelled (barge-in / response.cancel): stop at once
                    self._apply(
                        protocol.response_output(request.response_id, chunk, "".join(chunk_words))
                    )
                    sent_ms += len(chunk) // BYTES_PER_MS
                    await self._pace(started, sent_ms)
            self._apply(protocol.response_finished(request.response_id))
        except (SpeechSynthesisError, ValueError) as exc:
            log.warning("speech synthesis failed: %s", type(exc).__name__)
            self._apply(protocol.response_failed(request.response_id, "Speech synthesis failed."))
        except Exception:  # response.done must always follow response.created
            log.exception("response generation failed")
            self._apply(
                protocol.response_failed(request.response_id, "Response generation failed.")
            )

    async def _pace(self, started: float, sent_ms: int) -> None:
        pace = self._settings.output_pace_factor
        while self._queue.qsize() > _MAX_QUEUED_EVENTS:
            self._drained.clear()
            await self._drained.wait()  # the writer sets it once the client catches up
        if pace <= 0:
            await asyncio.sleep(0)
            return
        due = started + sent_ms / 1000.0 / pace
        await asyncio.sleep(max(0.0, due - time.monotonic()))

    def _start_transcription(self, request: TranscribeRequest) -> None:
        if len(self._transcribing) >= _MAX_PENDING_TRANSCRIPTIONS:
            self._apply(self._protocol.transcription_failed(request.item_id))
            return
        task = asyncio.create_task(self._transcribe(request))
        self._transcribing.add(task)
        task.add_done_callback(self._transcribing.discard)

    async def _transcribe(self, request: TranscribeRequest) -> None:
        try:
            transcript = await self._transcriber.transcribe(
                request.pcm, request.prompt, request.language
            )
        except TranscriptionError as exc:
            self._apply(self._protocol.transcription_failed(request.item_id, exc.code, str(exc)))
            return
        except Exception:  # a failed transcription must not end the session
            log.exception("transcription failed")
            self._apply(self._protocol.transcription_failed(request.item_id))
            return
        self._apply(self._protocol.transcription_completed(request.item_id, transcript))


def _sentences_with_words(request: SpeakRequest) -> list[tuple[str, list[str]]]:
    """Sentences to synthesise, each with its transcript deltas (words with leading spaces)."""
    if request.echo_pcm is not None:
        return [("", [])]
    pieces: list[tuple[str, list[str]]] = []
    for sentence in split_sentences(request.text):
        words = sentence.split(" ")
        deltas = [w if (not pieces and i == 0) else " " + w for i, w in enumerate(words)]
        pieces.append((sentence, deltas))
    return pieces
