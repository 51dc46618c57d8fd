"""WebSocket shell of the local realtime engine: speaks the GA Realtime protocol on
``ws://host:port/v1/realtime`` (any path ending in ``/realtime``) to the unmodified ``openai`` SDK,
both ``AsyncOpenAI(websocket_base_url=…)`` and ``AsyncAzureOpenAI`` URL shapes."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections import deque
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from media_host.local_realtime.connection import ConnectionRecord, ConnectionRunner
from media_host.local_realtime.errors import ProtocolError, error_event
from media_host.local_realtime.protocol import RealtimeProtocol
from media_host.local_realtime.settings import LocalRealtimeSettings
from media_host.local_realtime.stt import WhisperTranscriber
from media_host.local_realtime.tts import EspeakSynthesizer

log = logging.getLogger(__name__)

_MAX_RECORDED_CONNECTIONS = 64


class LocalRealtimeServer:
    """The offline realtime speech engine (VAD + Whisper STT + eSpeak NG TTS).

    Args:
        settings: Bind address, speech engine and limits.

    Example:
        >>> async with LocalRealtimeServer(LocalRealtimeSettings()) as server:
        ...     client = AsyncOpenAI(api_key="local", websocket_base_url=server.url)
    """

    def __init__(self, settings: LocalRealtimeSettings) -> None:
        self._settings = settings
        self._server: Server | None = None
        self._port = settings.port
        self._transcriber = WhisperTranscriber(
            settings.stt_model_path,
            settings.stt_compute_type,
            settings.stt_threads,
            settings.stt_max_concurrency,
        )
        self._synthesizer = EspeakSynthesizer(settings.tts_rate_wpm)
        self._received: deque[dict[str, Any]] = deque(maxlen=settings.received_log_size)
        self._connections: deque[ConnectionRecord] = deque(maxlen=_MAX_RECORDED_CONNECTIONS)
        self._ids = itertools.count(1)
        self._active_connections = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Bind and start accepting connections (port 0 picks a free port)."""
        if self._server is not None:
            return
        self._server = await serve(
            self._handle,
            self._settings.host,
            self._settings.port,
            process_request=self._check_path,
            # Frames up to 4x the limit are read and answered with an `error` event; beyond
            # that the library closes with 1009 without buffering them.
            max_size=self._settings.max_message_bytes * 4,
            compression=None,
        )
        self._port = next(iter(self._server.sockets)).getsockname()[1]
        log.info("local realtime engine listening on %s (mode=%s)", self.url, self._settings.mode)

    async def stop(self) -> None:
        """Close all connections and stop listening."""
        if self._server is None:
            return
        self._server.close()
        await self._server.wait_closed()
        self._server = None

    async def __aenter__(self) -> LocalRealtimeServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def warm_up(self) -> None:
        """Load the STT model now rather than on the first transcription."""
        await asyncio.to_thread(self._transcriber.warm_up)

    # ------------------------------------------------------------------ introspection

    @property
    def url(self) -> str:
        """``ws://host:port/v1`` — pass as ``websocket_base_url`` to the openai client."""
        return f"ws://{self._settings.host}:{self._port}/v1"

    @property
    def port(self) -> int:
        """The bound port."""
        return self._port

    @property
    def received_events(self) -> list[dict[str, Any]]:
        """Client events received on all connections, oldest first (bounded ring buffer).

        ``input_audio_buffer.append`` events have ``audio`` replaced by ``"<N base64 chars>"``.
        """
        return list(self._received)

    @property
    def connections(self) -> list[ConnectionRecord]:
        """Per-connection records (path, query, headers, events), oldest first (bounded)."""
        return list(self._connections)

    # ------------------------------------------------------------------ connection handling

    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if not path.rstrip("/").endswith("/realtime"):
            return connection.respond(HTTPStatus.NOT_FOUND, "Not Found\n")
        if self._active_connections >= self._settings.max_connections:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "Too many sessions\n")
        return None

    async def _handle(self, websocket: ServerConnection) -> None:
        self._active_connections += 1
        try:
            await self._serve_connection(websocket)
        finally:
            self._active_connections -= 1

    async def _serve_connection(self, websocket: ServerConnection) -> None:
        request = websocket.request
        assert request is not None
        parts = urlsplit(request.path)
        query = dict(parse_qsl(parts.query))
        headers = {name.lower(): value for name, value in request.headers.raw_items()}
        record = ConnectionRecord(
            connection_id=next(self._ids),
            path=parts.path,
            query=query,
            headers=headers,
            events=deque(maxlen=self._settings.received_log_size),
        )
        self._connections.append(record)
        rejection = self._admission_error(headers, query)
        if rejection is not None:
            error, code = rejection
            await websocket.send(json.dumps(error_event(error)))
            reason = error.error_type + (f".{error.code}" if error.code else "")
            record.close_code = code
            await websocket.close(code, reason)
            return
        model = query.get("model") or query.get("deployment") or ""
        protocol = RealtimeProtocol(self._settings, model)
        record.session_id = protocol.session_id
        runner = ConnectionRunner(
            websocket,
            self._settings,
            protocol,
            record,
            self._received.append,
            self._transcriber,
            self._synthesizer,
        )
        await runner.run()

    def _admission_error(
        self, headers: dict[str, str], query: dict[str, str]
    ) -> tuple[ProtocolError, int] | None:
        """Checks the hosted service makes right after the upgrade (close 3000/4000)."""
        if headers.get("openai-beta", "").strip().lower().startswith("realtime"):
            return (
                ProtocolError(
                    "The Realtime Beta API is no longer supported. Please use /v1/realtime for "
                    "the GA API.",
                    "beta_api_shape_disabled",
                ),
                4000,
            )
        expected = self._settings.required_api_key
        if expected is not None:
            bearer = headers.get("authorization", "")
            presented = bearer[7:] if bearer.lower().startswith("bearer ") else None
            presented = presented or headers.get("api-key")
            if not presented:
                return (ProtocolError("Missing bearer or basic authentication in header"), 3000)
            if presented != expected:
                masked = presented[:8] + "***…" + presented[-4:] if len(presented) > 12 else "***"
                return (
                    ProtocolError(
                        f"Incorrect API key provided: {masked}. You can find your API key at "
                        "https://platform.openai.com/account/api-keys.",
                        "invalid_api_key",
                    ),
                    3000,
                )
        if not (query.get("model") or query.get("deployment")):
            return (
                ProtocolError(
                    "You must provide a model parameter, for example "
                    "wss://api.openai.com/v1/realtime?model=gpt-realtime",
                    "missing_model",
                ),
                4000,
            )
        return None
