"""The host's switchboard: which sessions have a call here, and the rules of the internal API.

:class:`CallManager` implements the operations of :mod:`shared.mediahost_api` without HTTP:

- ``offer``: the first offer for a session creates its call. Refused with ``host_draining`` /
  ``host_full`` (503), ``session_not_found`` (404, the control plane never created it),
  ``session_ended`` (409, it ended here or its stored status is terminal or past its TTL),
  ``offer_already_accepted`` (409, a call exists). An unusable SDP (422 ``invalid_sdp``) leaves
  no trace, so the browser may retry with a good offer.
- ``candidates``: needs a call (409 ``no_offer_yet``; 409 ``session_ended`` after hang-up).
- ``hang_up``: idempotent; also remembers sessions that never had a call here so a late offer is
  refused.

Ended session ids are remembered in a bounded LRU (``ended_sessions_remembered``); beyond it the
stored session status still answers ``session_ended``.

Stopping (:meth:`CallManager.drain`, on SIGTERM): new offers are refused at once, running calls
may finish for the drain bound, and every call still running then is *handed over*, not ended: its
session moves to ``reconnecting`` (a ``status_update`` in the event log, mirrored on the data
channel before the peer closes), so the browser re-offers at once and the control plane places it
on another ready host, where the intake resumes from its Table Storage checkpoint — the same path
as a dead host's sessions, without waiting for the dead-host sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from datetime import UTC, datetime

from media_host.call import BridgeFactory, CallObservers, IntakeCall
from media_host.call_events import CallEventSink
from media_host.settings import MediaHostSettings
from media_host.webrtc.connection import rtc_configuration
from shared import metrics
from shared.events import SessionStatus
from shared.mediahost_api import HostAnswer, HostOfferRequest
from shared.problems import (
    Conflict,
    ServiceUnavailable,
    SessionEnded,
    TriageError,
    Unprocessable,
)
from shared.signaling import IceCandidate, IceServer
from shared.storage import EventLog, EventLogWriter, SessionStore
from shared.telemetry import flush_after_session
from shared.turn import ice_servers_for
from shared.web_pubsub import SessionEventForwarder, WebPubSub

logger = logging.getLogger(__name__)

_CANDIDATE_WAIT_S = 10.0

HANDOVER_DETAIL = "the media host is restarting; send a new offer to continue the interview"


class CallManager:
    """Owns every call on this host.

    Args:
        settings: Host settings.
        event_log: The shared event log (one per process).
        sessions: The sessions table.
        bridge_factory: Builds a call's realtime bridge.
        observers: Optional latency probes handed to every call.
        web_pubsub: Azure Web PubSub, when configured: each call's committed events are also
            published to its session's group (the browser's event WebSocket on Azure).
    """

    def __init__(
        self,
        settings: MediaHostSettings,
        *,
        event_log: EventLog,
        sessions: SessionStore,
        bridge_factory: BridgeFactory,
        observers: CallObservers | None = None,
        web_pubsub: WebPubSub | None = None,
    ) -> None:
        self._settings = settings
        self._web_pubsub = web_pubsub
        self._event_log = event_log
        self._sessions = sessions
        self._bridge_factory = bridge_factory
        self._observers = observers
        self._calls: dict[str, IntakeCall] = {}
        self._reserved: dict[str, asyncio.Event] = {}  # offers being answered right now
        self._ended: OrderedDict[str, None] = OrderedDict()
        self.draining = False
        self.idle = asyncio.Event()
        self.idle.set()
        metrics.track_live_sessions(self)  # the triage.sessions.live gauge

    @property
    def host_id(self) -> str:
        return self._settings.host_id

    @property
    def active_sessions(self) -> int:
        return len(self._calls) + len(self._reserved)

    @property
    def capacity(self) -> int:
        return self._settings.capacity

    def call(self, session_id: str) -> IntakeCall | None:
        return self._calls.get(session_id)

    async def offer(self, session_id: str, request: HostOfferRequest) -> HostAnswer:
        """Create the session's call from the browser's offer and return the answer."""
        if self.draining:
            raise ServiceUnavailable("this media host is draining", code="host_draining")
        if session_id in self._ended:
            raise SessionEnded("the session has ended")
        if session_id in self._calls or session_id in self._reserved:
            raise Conflict("an offer was already accepted", code="offer_already_accepted")
        if self.active_sessions >= self._settings.capacity:
            raise ServiceUnavailable("this media host is full", code="host_full")
        self._reserved[session_id] = asyncio.Event()
        self.idle.clear()
        try:
            record = await self._sessions.get(session_id)  # NotFound → 404 session_not_found
            if record.status.is_terminal or record.is_expired(datetime.now(UTC)):
                self._remember_ended(session_id)
                raise SessionEnded("the session has ended")
            expires_at = min(record.expires_at, _parse_expiry(request))
            call = self._new_call(session_id, request, expires_at)
            try:
                answer = await call.accept(request.sdp)
            except BaseException:
                await call.discard()
                raise
            self._calls[session_id] = call
            metrics.sessions_started.add(1)
        finally:
            self._reserved.pop(session_id).set()
            self._update_idle()
        if session_id in self._ended:  # hung up while the offer was being answered
            await call.hang_up(SessionStatus.ENDED, "hung up")
            raise SessionEnded("the session has ended")
        try:
            await self._sessions.mark_offer_accepted(session_id)
        except Exception:  # the call runs regardless; the control plane also records it
            logger.warning("could not mark the offer accepted", exc_info=True)
        return HostAnswer(sdp=answer)

    async def candidates(self, session_id: str, candidates: list[IceCandidate]) -> None:
        """Add trickled candidates to the session's call (waiting for an offer in flight)."""
        pending = self._reserved.get(session_id)
        if pending is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(pending.wait(), _CANDIDATE_WAIT_S)
        call = self._calls.get(session_id)
        if call is None:
            if session_id in self._ended:
                raise SessionEnded("the session has ended")
            raise Conflict("no offer was accepted for this session yet", code="no_offer_yet")
        try:
            await call.add_candidates(candidates, _CANDIDATE_WAIT_S)
        except TimeoutError:
            raise Conflict("the offer is still being answered", code="no_offer_yet") from None

    async def hang_up(self, session_id: str) -> None:
        """End the session's call (idempotent; unknown sessions are remembered as ended)."""
        self._remember_ended(session_id)
        call = self._calls.get(session_id)
        if call is not None:
            await call.hang_up(SessionStatus.ENDED, "hung up")

    async def drain(self, timeout_s: float) -> int:
        """Refuse new offers, let calls finish for up to `timeout_s`, then hand the rest over
        (:meth:`hand_over`). Returns how many calls were handed over."""
        self.draining = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.idle.wait(), timeout_s)
        handed = await self.hand_over()
        logger.info("drained: %d call(s) handed over to other hosts", handed)
        return handed

    async def hand_over(self) -> int:
        """Move every running call's session to ``reconnecting`` and release the call here.

        An offer being answered right now (it passed the draining check before the drain began)
        is waited for first, so it is handed over too rather than left behind when the process
        exits. A call whose intake already completed ends ``completed`` instead (see
        :meth:`IntakeCall.hang_up`). Returns how many calls were handed over.
        """
        self.draining = True
        pending = [event.wait() for event in self._reserved.values()]
        if pending:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*pending), _CANDIDATE_WAIT_S)
        calls = list(self._calls.values())
        if not calls:
            return 0
        await asyncio.gather(
            *(call.hang_up(SessionStatus.RECONNECTING, HANDOVER_DETAIL) for call in calls)
        )
        handed = [c.session_id for c in calls if c.end_status is SessionStatus.RECONNECTING]
        for session_id in handed:  # the control plane's index of this host's sessions
            with contextlib.suppress(TriageError):  # a stale index row costs one sweep lookup
                await self._sessions.forget_host_session(self._settings.host_id, session_id)
        return len(handed)

    def _new_call(
        self, session_id: str, request: HostOfferRequest, expires_at: datetime
    ) -> IntakeCall:
        writer = EventLogWriter(self._event_log, session_id)
        forwarder = (
            SessionEventForwarder(self._web_pubsub, session_id) if self._web_pubsub else None
        )
        sink = CallEventSink(session_id, writer, self._sessions, forwarder=forwarder)
        configuration = rtc_configuration(
            self.ice_servers(session_id, request.ice_servers),
            policy=self._settings.ice_transport_policy,
        )
        return IntakeCall(
            session_id=session_id,
            language=request.language,
            expires_at=expires_at,
            configuration=configuration,
            settings=self._settings,
            events=sink,
            bridge_factory=self._bridge_factory,
            on_closed=self._call_closed,
            observers=self._observers,
        )

    def ice_servers(self, session_id: str, offered: list[IceServer]) -> list[IceServer]:
        """The host's own STUN/TURN (fresh TURN credentials); the control plane's list only
        when the host has none configured."""
        own = ice_servers_for(session_id, self._settings.ice)
        return own or list(offered)

    def _call_closed(self, call: IntakeCall) -> None:
        if self._calls.get(call.session_id) is call:
            del self._calls[call.session_id]
            self._remember_ended(call.session_id)
            if call.end_status is not None:
                metrics.record_session_end(call.end_status.value)
            flush_after_session()  # the call's trace and a metrics snapshot, on the console
        self._update_idle()

    def _remember_ended(self, session_id: str) -> None:
        self._ended[session_id] = None
        self._ended.move_to_end(session_id)
        while len(self._ended) > self._settings.ended_sessions_remembered:
            self._ended.popitem(last=False)

    def _update_idle(self) -> None:
        if self.active_sessions == 0:
            self.idle.set()
        else:
            self.idle.clear()


def _parse_expiry(request: HostOfferRequest) -> datetime:
    try:
        parsed = datetime.fromisoformat(request.expires_at)
    except ValueError:
        raise Unprocessable("expires_at is not an ISO-8601 time", code="validation_error") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
