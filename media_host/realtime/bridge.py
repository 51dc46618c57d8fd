"""The realtime bridge: the thin I/O shell around :class:`SessionLogic`.

One bridge per call. It owns the model connection (through the official ``openai`` SDK),
reconnects it, feeds server events and local happenings to the session logic and executes the
commands that come back: send to the model, push audio to playback, emit session events, call
the intake agent. Tasks:

- supervisor: connect → configure (``session.update``) → receive until the connection ends →
  reconnect with backoff, or fail for good;
- audio sender: drains a bounded queue of patient audio (drop-oldest while offline);
- agent worker: calls the agent one utterance at a time, in conversation order, once the
  utterance's final transcript is durably recorded; a failed turn is retried from that record
  with bounded backoff (``agent_retry_budget_s``), then the patient is asked to say it again;
- ticker: transcript batching, playback-end detection, rotation at a quiet moment;
- event emitter: hands session events to the :class:`EventSink` in order.

Every loop treats cancellation and a closed connection as a normal exit, logs anything else
(exception types and stack frames only — never messages, which may carry patient text) and
always signals that it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from openai import OpenAIError
from opentelemetry.trace import Span, Status, StatusCode
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

from media_host.audio_io import DurableEventSink, EventSink, PlaybackSink
from media_host.intake_agent.errors import IntakeAgentError
from media_host.intake_agent.models import AgentTurn
from media_host.realtime import events as ev
from media_host.realtime.audio_outbox import AudioOutbox
from media_host.realtime.connect import ModelConnector
from media_host.realtime.errors import (
    ErrorKind,
    ModelConnectionError,
    SessionClosedError,
    classify_close,
)
from media_host.realtime.ports import IntakeAgentPort
from media_host.realtime.retry import ExponentialBackoff, RetryPolicy, turn_retry_delay_s
from media_host.realtime.session_logic import (
    AskAgent,
    Command,
    EmitEvent,
    EndSession,
    FetchSummary,
    PlayAudio,
    SendEvent,
    SessionLogic,
    StopPlayback,
)
from media_host.realtime.settings import RealtimeSettings
from shared import metrics
from shared.events import ErrorEvent, EventData, NewEvent
from shared.telemetry import SESSION_ATTRIBUTE, session_span, tracer

if TYPE_CHECKING:
    from openai.resources.realtime.realtime import AsyncRealtimeConnection

log = logging.getLogger(__name__)

MAX_TYPED_CHARS = 2_000
TICK_S = 0.05
EXPIRY_MARGIN_S = 120.0  # rotate at least this long before session.expires_at
_MAX_HANDLER_FAILURES = 20

AgentJob = AskAgent | FetchSummary


_T = TypeVar("_T")


class _TurnNotApplied(Exception):
    """The agent reported that it could not apply the utterance (its state is unchanged)."""


def _log_failure(what: str, exc: BaseException) -> None:
    """Log where it failed without the exception's message (it may quote patient text)."""
    frames = "".join(traceback.format_tb(exc.__traceback__)[-5:])
    log.error("%s failed: %s\n%s", what, type(exc).__name__, frames)


class RealtimeBridge:
    """Bridges one call's audio and the intake agent to a GA realtime model session.

    Args:
        settings: Connection, session and reconnect settings.
        session_id: The intake session (also the agent's session key).
        language: Session language (BCP-47, e.g. ``en``); transcription and speech use it.
        agent: The intake agent (its public interface).
        playback: Where model audio goes (the outbound WebRTC track).
        events: Where session events go (durable log + data channel).
        connector: Opens model connections; built from `settings` when omitted.
        retry_policy: Reconnect backoff; exponential with jitter from `settings` when omitted.
        clock: Monotonic clock in seconds (tests may pass their own).
    """

    def __init__(
        self,
        *,
        settings: RealtimeSettings,
        session_id: str,
        language: str,
        agent: IntakeAgentPort,
        playback: PlaybackSink,
        events: EventSink,
        connector: ModelConnector | None = None,
        retry_policy: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not session_id or len(session_id) > 128:
            raise ValueError("session_id must be 1..128 characters")
        self._settings = settings
        self._session_id = session_id
        self._language = language[:16] or "en"
        self._agent = agent
        self._playback = playback
        self._events = events
        self._connector = connector or ModelConnector(settings)
        self._retry = retry_policy or ExponentialBackoff(settings.reconnect)
        self._clock = clock
        self._logic = SessionLogic(
            transcript_batch_ms=settings.transcript_batch_ms,
            transcript_wait_s=settings.transcript_wait_s,
            not_caught=agent.recovery_reply(self._language, "not_caught"),
            line_dropped=agent.recovery_reply(self._language, "line_dropped"),
        )
        self._instructions = ""  # the last session instructions the agent gave
        self._lock = asyncio.Lock()  # one logic step (and its commands) at a time
        self._conn: AsyncRealtimeConnection | None = None
        self._connected_at = 0.0
        self._expires_at = float("inf")
        self._rotating = False
        self._closing = False
        self._first_connect = asyncio.Event()
        self._online = asyncio.Event()
        self._outbox = AudioOutbox(
            chunk_ms=settings.append_chunk_ms, max_ms=int(settings.reconnect_buffer_s * 1000)
        )
        self._audio_dropped_reported = False
        self._agent_q: asyncio.Queue[AgentJob] = asyncio.Queue()
        self._agent_busy = False
        # Session events in order; a Future is a barrier, resolved once everything before it
        # was handed to the sink.
        self._event_q: asyncio.Queue[EventData | asyncio.Future[None] | None] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[None]] = set()
        self._handler_failures = 0
        self._speech_stopped_at: float | None = None  # for the response-latency metric
        self._response_span: Span | None = None
        self.finished = asyncio.Event()

    # --- public API ---------------------------------------------------------------------------

    async def start(self, *, speak_when: asyncio.Event | None = None) -> None:
        """Greet the agent, connect and configure the model, ask for the greeting.

        Args:
            speak_when: When given, the greeting is asked for only once it is set (the call
                sets it when the patient's media is connected, so nothing is said before
                ``connected``); the model connection is made meanwhile.

        Returns once the first connection is up and the greeting was asked for (or the
        session failed: see `finished`).
        """
        if self._tasks or self._closing:
            raise SessionClosedError("start() may be called once, before aclose()")
        greeting = await self._agent.start_session(self._session_id, self._language)
        spawn = asyncio.get_running_loop().create_task
        self._tasks = [
            spawn(self._emit_loop(), name="realtime-events"),
            spawn(self._supervise(), name="realtime-supervisor"),
            spawn(self._audio_loop(), name="realtime-audio"),
            spawn(self._agent_loop(), name="realtime-agent"),
            spawn(self._tick_loop(), name="realtime-tick"),
        ]
        await self._first_connect.wait()
        if speak_when is not None:
            await speak_when.wait()
        await self._step(lambda now: self._logic.on_greeting(greeting, now))

    async def send_audio(self, pcm16_24k: bytes) -> None:
        """Queue patient audio (24 kHz mono s16le). Never waits on the network."""
        if self.finished.is_set() or not pcm16_24k:
            return
        dropped = self._outbox.add(pcm16_24k)
        if dropped and not self._audio_dropped_reported:
            self._audio_dropped_reported = True  # once per outage
            self._emit_now(
                ErrorEvent(
                    code="audio_dropped",
                    message=(
                        "patient audio could not reach the model in time; audio older than "
                        f"{self._settings.reconnect_buffer_s:g} s was dropped"
                    ),
                    retryable=True,
                )
            )

    async def send_text(self, text: str) -> str:
        """Typed patient input; returns the item id it is recorded under.

        Raises:
            ValueError: empty, or longer than 2000 characters.
            SessionClosedError: the session already ended.
        """
        if self.finished.is_set():
            raise SessionClosedError("the realtime session is over")
        text = text.strip()
        if not text or len(text) > MAX_TYPED_CHARS:
            raise ValueError(f"typed text must be 1..{MAX_TYPED_CHARS} characters")
        item_id = f"item_txt{uuid.uuid4().hex[:22]}"
        await self._step(lambda now: self._logic.on_typed_text(item_id, text, now))
        return item_id

    async def aclose(self) -> None:
        """Stop everything, flush pending session events, close the model connection."""
        if self._closing:
            await self.finished.wait()
            return
        self._closing = True
        emitter = self._tasks[0] if self._tasks else None
        for task in self._tasks[1:]:
            task.cancel()
        await asyncio.gather(*self._tasks[1:], return_exceptions=True)
        self._agent.end_call(self._session_id)
        await self._close_connection()
        await self._step(self._logic.on_close)
        if emitter is not None:
            self._event_q.put_nowait(None)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(emitter, timeout=5.0)
            emitter.cancel()
        await self._connector.aclose()
        self._end_response_span("closed")
        self.finished.set()

    @property
    def unprocessed(self) -> tuple[str, ...]:
        """Item ids of patient utterances the agent could not process (marked in the summary)."""
        return tuple(self._logic.unprocessed)

    @property
    def rate_limits(self) -> tuple[ev.RateLimit, ...]:
        """The last ``rate_limits.updated`` figures (no patient data)."""
        return self._logic.rate_limits

    # --- logic steps and commands -------------------------------------------------------------

    async def _step(self, feed: Callable[[float], list[Command]]) -> None:
        async with self._lock:
            await self._execute(feed(self._clock()))

    async def _execute(self, cmds: list[Command]) -> None:
        for cmd in cmds:
            match cmd:
                case SendEvent():
                    await self._send(cmd.event)
                case PlayAudio():
                    self._playback.push(cmd.item_id, cmd.pcm16_24k)
                case EmitEvent():
                    self._event_q.put_nowait(cmd.data)
                case AskAgent() | FetchSummary():
                    self._agent_q.put_nowait(cmd)
                case StopPlayback():
                    was_playing = self._playback.is_playing
                    cut = self._playback.interrupt()
                    await self._execute(
                        self._logic.on_playback_stopped(
                            cut, was_playing=was_playing, reason=cmd.reason, now=self._clock()
                        )
                    )
                case EndSession():
                    self.finished.set()
                    closer = asyncio.get_running_loop().create_task(self._close_connection())
                    self._background.add(closer)
                    closer.add_done_callback(self._background.discard)

    async def _send(self, event: Any) -> None:
        conn = self._conn
        if conn is None:
            return  # offline: the logic re-issues what matters after reconnecting
        # A failed send means the connection is going: the receive loop sees the close.
        with contextlib.suppress(ConnectionClosed, OSError, OpenAIError):
            await conn.send(event)

    def _emit_now(self, data: EventData) -> None:
        self._event_q.put_nowait(data)

    # --- loops --------------------------------------------------------------------------------

    async def _emit_loop(self) -> None:
        try:
            while (data := await self._event_q.get()) is not None:
                if isinstance(data, asyncio.Future):
                    if not data.done():
                        data.set_result(None)
                    continue
                try:
                    await self._events.emit(NewEvent(data=data))
                except Exception as exc:
                    _log_failure("emitting a session event", exc)
        except asyncio.CancelledError:
            pass
        finally:
            log.debug("event emitter stopped")

    async def _supervise(self) -> None:
        attempt = 0
        try:
            while not self.finished.is_set() and not self._closing:
                try:
                    conn = await self._open()
                except ModelConnectionError as exc:
                    attempt += 1
                    delay = None if exc.kind.is_permanent else self._retry.delay_s(attempt)
                    log.warning("model connect failed (%s, attempt %d)", exc.code, attempt)
                    if delay is None:
                        await self._fail(exc.code, "cannot connect to the realtime model")
                        return
                    await asyncio.sleep(delay)
                    continue
                productive, close_code = await self._receive(conn)
                if productive:
                    attempt = 0
                self._online.clear()
                self._conn = None
                if self.finished.is_set() or self._closing:
                    return
                rotated, self._rotating = self._rotating, False
                if not rotated and classify_close(close_code) is ErrorKind.PERMANENT:
                    await self._fail(f"model_closed_{close_code}", "the model closed the session")
                    return
                log.info("model connection ended (close %s, rotation %s)", close_code, rotated)
                await self._step(
                    functools.partial(self._logic.on_disconnected, unexpected=not rotated)
                )
                if not rotated:
                    attempt += 1
                    delay = self._retry.delay_s(attempt)
                    if delay is None:
                        await self._fail(
                            "model_reconnect_exhausted", "the model connection was lost"
                        )
                        return
                    await asyncio.sleep(delay)
        except asyncio.CancelledError:
            pass
        except Exception as exc:
            _log_failure("realtime supervisor", exc)
            await self._fail("bridge_error", "the realtime bridge failed")
        finally:
            self._first_connect.set()
            log.debug("realtime supervisor stopped")

    async def _open(self) -> AsyncRealtimeConnection:
        """Connect and (re-)seed the session from the agent's state."""
        try:
            self._instructions = await self._agent.realtime_instructions(self._session_id)
        except Exception as exc:
            if not self._instructions:
                raise
            # Storage may be down: the last instructions are a fine seed for a reconnect.
            _log_failure("refreshing the realtime instructions", exc)
        instructions = self._instructions
        with session_span("realtime.connect", self._session_id):
            conn = await self._connector.connect()
        self._conn = conn
        self._connected_at = self._clock()
        self._expires_at = float("inf")
        update = ev.session_update(
            self._settings, instructions=instructions, language=self._language
        )
        await self._send(update)
        await self._step(self._logic.on_connected)
        self._online.set()
        self._audio_dropped_reported = False
        self._first_connect.set()
        return conn

    async def _receive(self, conn: AsyncRealtimeConnection) -> tuple[bool, int | None]:
        """Read frames until the connection ends; returns (received anything, close code)."""
        productive = False
        try:
            while True:
                frame = await conn.recv_bytes()
                event = ev.parse_server_event(frame)
                if isinstance(event, ev.SessionStarted) and event.expires_at:
                    # Rotate before the service's own cap, whatever rotate_after_s says.
                    left = event.expires_at - time.time()
                    self._expires_at = self._clock() + left
                if isinstance(event, ev.ServerError):
                    log.warning("model error event: kind=%s code=%s", event.kind, event.code)
                elif not isinstance(event, ev.ProtocolViolation):
                    productive = True
                self._observe(event)
                try:
                    await self._step(functools.partial(self._logic.on_server_event, event))
                except Exception as exc:  # a bug handling one event must not end the call
                    self._handler_failures += 1
                    _log_failure(f"handling {type(event).__name__}", exc)
                    if self._handler_failures > _MAX_HANDLER_FAILURES:
                        raise
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else None
            if not isinstance(exc, ConnectionClosedOK) or code not in (1000, None):
                log.info("model connection closed: code=%s", code)
            return productive, code if code is not None else 1006
        except OSError:
            return productive, 1006

    def _observe(self, event: ev.ServerEvent) -> None:
        """Telemetry from the model's events: one span per response (created → done) and the
        latency from the end of the patient's speech to the first audio of the answer."""
        now = self._clock()
        match event:
            case ev.SpeechStopped():
                self._speech_stopped_at = now
            case ev.ResponseCreated():
                self._end_response_span("superseded")
                self._response_span = tracer().start_span(
                    "realtime.response", attributes={SESSION_ATTRIBUTE: self._session_id}
                )
            case ev.AudioDelta() if self._speech_stopped_at is not None:
                latency_ms = metrics.elapsed_ms(self._speech_stopped_at, now)
                self._speech_stopped_at = None
                metrics.model_response_latency.record(latency_ms)
                if self._response_span is not None:
                    self._response_span.set_attribute(
                        "triage.response_latency_ms", round(latency_ms, 1)
                    )
            case ev.ResponseDone():
                self._end_response_span(event.status)

    def _end_response_span(self, status: str) -> None:
        span, self._response_span = self._response_span, None
        if span is not None:
            span.set_attribute("triage.response_status", status[:32])
            if status == "failed":
                span.set_status(Status(StatusCode.ERROR))
            span.end()

    async def _audio_loop(self) -> None:
        try:
            while True:
                await self._online.wait()
                chunk = await self._outbox.next_chunk()
                conn = self._conn
                if conn is None:
                    self._outbox.push_back(chunk)
                    continue
                try:
                    await conn.send(ev.audio_append(chunk))
                except (ConnectionClosed, OSError, OpenAIError):
                    self._outbox.push_back(chunk)  # resent after reconnecting
                    self._online.clear()
        except asyncio.CancelledError:
            pass
        finally:
            log.debug("audio sender stopped")

    async def _agent_loop(self) -> None:
        try:
            while True:
                job = await self._agent_q.get()
                self._agent_busy = True
                try:
                    await self._run_agent_job(job)
                finally:
                    self._agent_busy = False
        except asyncio.CancelledError:
            pass
        finally:
            log.debug("agent worker stopped")

    async def _run_agent_job(self, job: AgentJob) -> None:
        try:
            match job:
                case AskAgent():
                    turn = await self._retrying("agent turn", functools.partial(self._answer, job))
                    if turn is None:
                        await self._step(lambda now: self._logic.on_agent_failed(job.item_id, now))
                        return
                    await self._step(lambda now: self._logic.on_agent_turn(turn, now))
                case FetchSummary():
                    summary = await self._retrying("intake summary", self._finish)
                    if summary is None:
                        await self._fail("summary_unavailable", "the intake summary failed")
                        return
                    await self._step(lambda now: self._logic.on_summary(summary, now))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            _log_failure(f"agent job {type(job).__name__}", exc)
            if isinstance(job, AskAgent):
                await self._step(lambda now: self._logic.on_agent_failed(job.item_id, now))

    async def _answer(self, job: AskAgent) -> AgentTurn:
        """One attempt: the utterance's transcript is durably recorded, then the agent acts."""
        await self._recorded()
        started = self._clock()
        with session_span("agent.turn", self._session_id) as span:
            turn = await self._agent.handle_utterance(
                self._session_id, item_id=job.item_id, text=job.text
            )
            span.set_attribute("triage.turn_failed", turn.failed)
        metrics.agent_turn_duration.record(metrics.elapsed_ms(started, self._clock()))
        if turn.failed:
            raise _TurnNotApplied
        return turn

    async def _finish(self) -> dict[str, Any]:
        summary = await self._agent.finish(self._session_id)
        return summary.model_dump(mode="json")

    async def _retrying(self, what: str, attempt_once: Callable[[], Awaitable[_T]]) -> _T | None:
        """Run `attempt_once` until it succeeds, retrying transient failures (storage, model,
        a turn the agent could not apply) with jittered exponential backoff for up to
        ``agent_retry_budget_s``; None when it still failed (or the input was refused)."""
        deadline = self._clock() + self._settings.agent_retry_budget_s
        attempt = 0
        while True:
            try:
                return await attempt_once()
            except asyncio.CancelledError:
                raise
            except IntakeAgentError as exc:
                _log_failure(f"{what} (not retryable)", exc)
                return None  # refused by the agent itself: retrying cannot help
            except Exception as exc:
                attempt += 1
                delay = turn_retry_delay_s(attempt)
                give_up = self._clock() + delay >= deadline or self.finished.is_set()
                log.warning(
                    "%s attempt %d failed (%s); %s",
                    what,
                    attempt,
                    type(exc).__name__,
                    "giving up" if give_up else "retrying",
                )
                if give_up:
                    return None
                await asyncio.sleep(delay)

    async def _recorded(self) -> None:
        """Return once every session event emitted so far is durably stored.

        Raises whatever the sink raises while storage is unreachable (the caller retries).
        """
        barrier: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._event_q.put_nowait(barrier)
        await barrier
        if isinstance(self._events, DurableEventSink):
            await self._events.flush()

    async def _tick_loop(self) -> None:
        """The clock of the call: ``listening`` after playback, the summary after the closing
        words, delta batches, reply retries. One failing tick must not stop it for the rest of
        the call (the agent would keep answering but never again say ``listening`` nor finish):
        a failure is logged and the next tick runs; only a run of failures fails the session."""
        failures = 0
        try:
            while not self.finished.is_set():
                await asyncio.sleep(TICK_S)
                try:
                    playing = self._playback.is_playing
                    await self._step(functools.partial(self._logic.on_tick, playing=playing))
                    await self._maybe_rotate()
                except Exception as exc:
                    failures += 1
                    _log_failure("realtime tick", exc)
                    if failures > _MAX_HANDLER_FAILURES:
                        await self._fail("bridge_error", "the realtime bridge failed")
                        return
                else:
                    failures = 0
        except asyncio.CancelledError:
            pass
        finally:
            log.debug("ticker stopped")

    async def _maybe_rotate(self) -> None:
        conn = self._conn
        now = self._clock()
        due = (
            now - self._connected_at >= self._settings.rotate_after_s
            or now >= self._expires_at - EXPIRY_MARGIN_S
        )
        if (
            conn is None
            or self._rotating
            or not due
            or not self._logic.is_quiet
            or self._agent_busy
            or not self._agent_q.empty()
        ):
            return
        log.info("rotating the model connection before the session cap")
        self._rotating = True
        await self._close_connection()

    async def _close_connection(self) -> None:
        conn = self._conn
        if conn is None:
            return
        self._online.clear()
        with contextlib.suppress(ConnectionClosed, OSError, TimeoutError):
            await asyncio.wait_for(conn.close(), timeout=2.0)

    async def _fail(self, code: str, message: str) -> None:
        await self._step(lambda now: self._logic.on_failed(code, message))
        self.finished.set()
