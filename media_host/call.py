"""One intake call: the browser's peer connection, the realtime bridge, and the session's events.

Wiring (all per call, nothing shared but the storage clients)::

    browser mic ─RTP─▶ SessionPeer ─track─▶ InboundAudioPump ─24 kHz pcm─▶ bridge.send_audio
    browser ear ◀─RTP─ PacedAudioTrack ◀─push()─────────────────────────── bridge (PlaybackSink)
    data channel ─typed text─▶ DataChannelMirror ─▶ bridge.send_text
    bridge / call ─NewEvent─▶ CallEventSink ─▶ EventLogWriter ─committed─▶ data channel mirror
                                           └─▶ sessions row (status, summary)

Lifecycle: :meth:`IntakeCall.accept` answers the offer (``status connecting``) and starts the
bridge in the background (the model connects while ICE does); aiortc's ``connected`` →
``status connected``, and only then may the bridge speak (the greeting), so the log never shows
the agent speaking before the patient's media was connected. A watchdog ends the call
when ICE does not connect in time, when the patient's media stops for longer than the grace
period (aiortc has no "disconnected" state, so the host watches inbound frames itself), when the
session's TTL passes, or when the bridge finishes (intake complete, or the model failed for good).
:meth:`IntakeCall.hang_up` is the single, idempotent way out; it releases every resource.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from aiortc import RTCConfiguration, RTCDataChannel
from aiortc.mediastreams import MediaStreamTrack

from media_host.call_events import CallEventSink
from media_host.settings import MediaHostSettings
from media_host.webrtc.connection import SessionPeer
from media_host.webrtc.datachannel import DataChannelMirror, Refusal
from media_host.webrtc.inbound import InboundAudioPump
from media_host.webrtc.outbound import PacedAudioTrack
from shared import metrics
from shared.events import ErrorEvent, Event, NewEvent, SessionStatus, StatusUpdate
from shared.signaling import IceCandidate
from shared.telemetry import SESSION_ATTRIBUTE, span_task_context, tracer

logger = logging.getLogger(__name__)

_WATCHDOG_PERIOD_S = 0.25
_BRIDGE_CLOSE_TIMEOUT_S = 5.0
_GOODBYE_PLAYBACK_MAX_S = 20.0  # after the intake completed, let the closing words play
_MAX_PENDING_TEXTS = 4
_SUPERSEDED_BY_COMPLETED = frozenset({SessionStatus.ENDED, SessionStatus.RECONNECTING})


class CallBridge(Protocol):
    """What a call needs from the realtime bridge (``media_host.realtime.RealtimeBridge``)."""

    finished: asyncio.Event

    async def start(self, *, speak_when: asyncio.Event | None = None) -> None: ...
    async def send_audio(self, pcm16_24k: bytes) -> None: ...
    async def send_text(self, text: str) -> None: ...
    async def aclose(self) -> None: ...


BridgeFactory = Callable[..., CallBridge]
"""Called as ``factory(session_id=, language=, playback=, events=)``."""


class CallObservers:
    """Optional latency probes (benchmarks/metrics).

    Attributes:
        inbound: Seconds from a decoded patient frame to ``bridge.send_audio`` returning.
        outbound: ``(seconds, after_silence)`` from model audio reaching an empty playback
            buffer to its first frame leaving the track (see ``PacedAudioTrack``).
    """

    def __init__(
        self,
        *,
        inbound: Callable[[float], None] | None = None,
        outbound: Callable[[float, bool], None] | None = None,
    ) -> None:
        self.inbound = inbound
        self.outbound = outbound


class IntakeCall:
    """One session's media and model plumbing on this host.

    Args:
        session_id: The session.
        language: BCP-47 tag of the patient's language.
        expires_at: When the session's TTL ends (the call is ended as ``expired`` then).
        configuration: The peer connection's ICE configuration.
        settings: Host settings (grace periods, bounds).
        events: The call's event sink (owned by the call from now on).
        bridge_factory: Builds the realtime bridge for this call.
        on_closed: Called once the call released everything.
        observers: Optional latency probes.
    """

    def __init__(
        self,
        *,
        session_id: str,
        language: str,
        expires_at: datetime,
        configuration: RTCConfiguration,
        settings: MediaHostSettings,
        events: CallEventSink,
        bridge_factory: BridgeFactory,
        on_closed: Callable[[IntakeCall], None] | None = None,
        observers: CallObservers | None = None,
    ) -> None:
        self.session_id = session_id
        self._settings = settings
        self._expires_at = expires_at
        self._events = events
        self._on_closed = on_closed
        self._observers = observers or CallObservers()
        # The call's span: a child of the host's offer span (so of the session's trace); the
        # bridge's spans (model connection, responses, agent turns) are its children.
        self._span = tracer().start_span(
            "intake.call", attributes={SESSION_ATTRIBUTE: session_id, "triage.language": language}
        )
        self.track = PacedAudioTrack(
            buffer_ms=settings.playback_buffer_ms, latency_observer=self._observers.outbound
        )
        self._bridge = bridge_factory(
            session_id=session_id,
            language=language,
            playback=self.track,
            events=events,
        )
        self._peer = SessionPeer(
            configuration,
            outbound_track=self.track,
            on_state=self._connection_state_changed,
            on_remote_audio=self._remote_audio,
            on_datachannel=self._datachannel_opened,
        )
        self._pump: InboundAudioPump | None = None
        self._mirror: DataChannelMirror | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._offer_applied = asyncio.Event()
        self._media_ready = asyncio.Event()  # `connected` is in the log: the call may speak
        self._answered_at: float | None = None
        self._connected_at: float | None = None
        self._bridge_started = False
        self._closing = False
        self.closed = asyncio.Event()
        self.end_status: SessionStatus | None = None

    # --- signalling -------------------------------------------------------------------------

    async def accept(self, sdp: str) -> str:
        """Answer the browser's offer, then start the bridge and the watchdog.

        Raises:
            InvalidSdp / PayloadTooLarge: the offer is unusable (the call is then discarded by
                the caller with :meth:`discard`).
        """
        answer = await self._peer.accept_offer(sdp)
        self._offer_applied.set()
        self._answered_at = time.monotonic()
        self._events.mirror_to(self._mirror_events)
        await self._announce(SessionStatus.CONNECTING, "offer answered")
        self._spawn(self._start_bridge(), "call-bridge-start")
        self._spawn(self._watchdog(), "call-watchdog")
        return answer

    async def add_candidates(self, candidates: Sequence[IceCandidate], timeout_s: float) -> None:
        """Add trickled candidates once the offer is applied (a concurrent offer may still be
        in flight when the first candidates arrive)."""
        await asyncio.wait_for(self._offer_applied.wait(), timeout_s)
        if not self._closing:
            await self._peer.add_candidates(candidates)

    async def discard(self) -> None:
        """Release a call whose offer was refused (nothing was started, nothing is logged)."""
        self._closing = True
        try:  # never started, but it may hold a client (connector) to release
            await asyncio.wait_for(self._bridge.aclose(), _BRIDGE_CLOSE_TIMEOUT_S)
        except Exception:
            logger.warning("realtime bridge did not close cleanly", exc_info=True)
        await self._release_media()
        await self._events.aclose()
        self._finish()

    async def hang_up(self, status: SessionStatus = SessionStatus.ENDED, detail: str = "") -> None:
        """End the call here with `status` and free every resource. Idempotent; a second call
        waits for the first to finish.

        `status` is terminal, or ``reconnecting`` for a handover (the host is stopping; the
        session continues on another host). A call whose intake summary was already emitted ends
        ``completed`` instead of ``ended`` or ``reconnecting``: there is nothing left to resume.
        """
        if self._closing:
            await self.closed.wait()
            return
        self._closing = True
        current = asyncio.current_task()
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
        if self._pump is not None:
            await self._pump.stop()
        try:
            await asyncio.wait_for(self._bridge.aclose(), _BRIDGE_CLOSE_TIMEOUT_S)
        except Exception:
            logger.warning("realtime bridge did not close cleanly", exc_info=True)
        if self._events.summary_emitted and status in _SUPERSEDED_BY_COMPLETED:
            status = SessionStatus.COMPLETED  # the intake was done before the hang-up
        self.end_status = self._events.status if self._events.is_terminal else status
        await self._announce(status, detail[:1000])
        with contextlib.suppress(Exception):
            await self._events.flush()  # mirrored to the data channel while it is still open
        await self._release_media()
        await asyncio.gather(*(t for t in self._tasks if t is not current), return_exceptions=True)
        await self._events.aclose()
        self._finish()

    # --- callbacks from aiortc / the bridge --------------------------------------------------

    def _connection_state_changed(self, state: str) -> None:
        if self._closing:
            return
        if state == "connected" and self._connected_at is None:
            self._connected_at = time.monotonic()
            if self._answered_at is not None:
                metrics.ice_connect_time.record(
                    metrics.elapsed_ms(self._answered_at, self._connected_at)
                )
            self._span.add_event("ice_connected")
            self._spawn(self._announce_connected(), "call-status")
        elif state == "failed":
            self._end_soon(SessionStatus.FAILED, "the media connection failed (ICE/DTLS)")
        elif state == "closed":
            self._end_soon(SessionStatus.ENDED, "the browser closed the media connection")

    def _remote_audio(self, track: MediaStreamTrack) -> None:
        self._pump = InboundAudioPump(
            track, self._patient_audio, latency_observer=self._observers.inbound
        )
        self._pump.start()

    def _datachannel_opened(self, channel: RTCDataChannel) -> None:
        if self._mirror is not None:
            channel.close()  # one data channel per call; a second one is not ours to serve
            return
        self._mirror = DataChannelMirror(
            channel,
            on_text=self._typed_text,
            on_refusal=self._refused,
            max_message_bytes=self._settings.max_datachannel_message_bytes,
            max_text_chars=self._settings.max_typed_text_chars,
        )

    async def _patient_audio(self, pcm: bytes) -> None:
        if self._bridge_started and not self._closing:
            await self._bridge.send_audio(pcm)

    def _typed_text(self, text: str) -> None:
        pending = sum(1 for t in self._tasks if t.get_name() == "call-typed-text")
        if pending >= _MAX_PENDING_TEXTS or not self._bridge_started:
            self._refused(Refusal("busy", "typed text is not accepted right now"))
            return
        self._spawn(self._bridge.send_text(text), "call-typed-text")

    def _refused(self, refusal: Refusal) -> None:
        self._spawn(
            self._emit(ErrorEvent(code=refusal.code, message=refusal.message, retryable=False)),
            "call-error",
        )

    def _mirror_events(self, events: list[Event]) -> None:
        if self._mirror is not None:
            now = datetime.now(UTC)
            for event in events:
                self._mirror.send_event(event)
                lag_ms = (now - event.ts).total_seconds() * 1000
                metrics.event_delivery_lag.record(
                    max(0.0, lag_ms), {"triage.channel": "datachannel"}
                )

    # --- background work --------------------------------------------------------------------

    async def _start_bridge(self) -> None:
        try:
            await self._bridge.start(speak_when=self._media_ready)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.warning("realtime bridge failed to start: %s", type(exc).__name__)
            self._end_soon(SessionStatus.FAILED, "the realtime model could not be reached")
            return
        self._bridge_started = True

    async def _announce_connected(self) -> None:
        # Queued in the event log before anything the bridge says (the log keeps emit order).
        await self._emit(StatusUpdate(status=SessionStatus.CONNECTED))
        self._media_ready.set()

    async def _watchdog(self) -> None:
        settings = self._settings
        while not self._closing:
            await asyncio.sleep(_WATCHDOG_PERIOD_S)
            now = time.monotonic()
            if datetime.now(UTC) >= self._expires_at:
                self._end_soon(SessionStatus.EXPIRED, "session TTL elapsed")
                return
            if self._bridge.finished.is_set():
                await self._bridge_finished()
                return
            if self._connected_at is None:
                assert self._answered_at is not None
                if now - self._answered_at > settings.ice_connect_timeout_s:
                    self._end_soon(
                        SessionStatus.FAILED,
                        f"the media connection was not established within "
                        f"{settings.ice_connect_timeout_s:g} s (ICE/DTLS)",
                    )
                    return
                continue
            last_media = (self._pump.last_frame_at if self._pump else None) or self._connected_at
            if now - last_media > settings.ice_disconnect_grace_s:
                self._end_soon(
                    SessionStatus.FAILED,
                    f"no audio from the browser for {settings.ice_disconnect_grace_s:g} s "
                    "(media connection lost)",
                )
                return

    async def _bridge_finished(self) -> None:
        if self._events.summary_emitted:
            deadline = time.monotonic() + _GOODBYE_PLAYBACK_MAX_S
            # Polled: the track has no "drained" signal and this runs once per call.
            while self.track.is_playing and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(_WATCHDOG_PERIOD_S)
            self._end_soon(SessionStatus.COMPLETED, "intake completed")
        else:
            self._end_soon(SessionStatus.FAILED, "the realtime model session failed")

    # --- helpers ----------------------------------------------------------------------------

    def _end_soon(self, status: SessionStatus, detail: str) -> None:
        if not self._closing:
            # A separate task: hang_up cancels the task that detected the condition.
            task = asyncio.create_task(
                self.hang_up(status, detail),
                name="call-hang-up",
                context=span_task_context(self._span, self.session_id),
            )
            _background.add(task)
            task.add_done_callback(_background.discard)

    async def _announce(self, status: SessionStatus, detail: str) -> None:
        try:
            await self._events.announce(status, detail)
        except Exception:
            logger.exception("a status change could not be recorded")

    async def _emit(self, data: Any) -> None:
        try:
            await self._events.emit(NewEvent(data=data))
        except Exception:
            logger.exception("a call event could not be recorded")

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        if self._closing:
            coro.close()
            return
        task = asyncio.create_task(
            coro, name=name, context=span_task_context(self._span, self.session_id)
        )
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("call task %s failed", task.get_name(), exc_info=task.exception())

    async def _release_media(self) -> None:
        if self._pump is not None:
            await self._pump.stop()
            self._pump = None
        if self._mirror is not None:
            self._mirror.close()
            self._mirror = None
        self.track.stop()
        try:
            await self._peer.close()
        except Exception:
            logger.warning("peer connection did not close cleanly", exc_info=True)

    def _finish(self) -> None:
        if self.end_status is not None:
            self._span.set_attribute("triage.end_status", self.end_status.value)
        self._span.end()
        self.closed.set()
        if self._on_closed is not None:
            callback, self._on_closed = self._on_closed, None
            callback(self)


# Hang-up tasks started from inside a call must outlive the call's own task set.
_background: set[asyncio.Task[None]] = set()
