"""The service's OpenTelemetry instruments, in one place (names, units, attributes).

Instruments are created on the API's proxy meter at import, so they record into whichever meter
provider :func:`shared.telemetry.configure_telemetry` installs later (nothing when none is).
Attributes are bounded, non-identifying values only: a host id, a status, a red-flag rule id
(rule ids are the protocol's names, not the patient's words), a retry reason, a delivery channel.
Never a session id (unbounded cardinality; it is on the spans instead).

=================================== ========= ==============================================
name                                unit      what
=================================== ========= ==============================================
``triage.sessions.created``         1         sessions created by the API
``triage.sessions.started``         1         calls started on a media host (offer answered)
``triage.sessions.completed``       1         calls that ended with the intake completed
``triage.sessions.failed``          1         calls that ended ``failed``
``triage.sessions.ended``           1         calls that ended otherwise (``status``: ended,
                                              expired)
``triage.sessions.live``            1         calls on this host now (observable gauge,
                                              ``triage.host_id``)
``triage.ice.connect_time``         ms        offer answered → ICE/DTLS ``connected``
``triage.model.response_latency``   ms        patient's speech end → first model audio
``triage.agent.turn_duration``      ms        one intake-agent turn (utterance → reply)
``triage.events.delivery_lag``      ms        event emitted → handed to a follower
                                              (``triage.channel``: feed, datachannel)
``triage.red_flags``                1         red flags raised (``triage.rule_id``, ``level``)
``triage.storage.retries``          1         storage operations retried
                                              (``triage.retry_reason``)
=================================== ========= ==============================================
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Protocol

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

_meter = metrics.get_meter("triage")

sessions_created = _meter.create_counter(
    "triage.sessions.created", unit="1", description="Sessions created by the API"
)
sessions_started = _meter.create_counter(
    "triage.sessions.started", unit="1", description="Calls started on a media host"
)
sessions_completed = _meter.create_counter(
    "triage.sessions.completed", unit="1", description="Calls that completed the intake"
)
sessions_failed = _meter.create_counter(
    "triage.sessions.failed", unit="1", description="Calls that ended failed"
)
sessions_ended = _meter.create_counter(
    "triage.sessions.ended", unit="1", description="Calls that ended otherwise (hang-up, TTL)"
)
ice_connect_time = _meter.create_histogram(
    "triage.ice.connect_time", unit="ms", description="Offer answered to ICE/DTLS connected"
)
model_response_latency = _meter.create_histogram(
    "triage.model.response_latency",
    unit="ms",
    description="End of the patient's speech to the model's first audio",
)
agent_turn_duration = _meter.create_histogram(
    "triage.agent.turn_duration", unit="ms", description="One intake-agent turn"
)
event_delivery_lag = _meter.create_histogram(
    "triage.events.delivery_lag",
    unit="ms",
    description="Event emitted by its producer to handed to a follower",
)
red_flags = _meter.create_counter("triage.red_flags", unit="1", description="Red flags raised")
storage_retries = _meter.create_counter(
    "triage.storage.retries", unit="1", description="Storage operations retried"
)


class LiveSessionSource(Protocol):
    """What the live-sessions gauge reads (the media host's call manager)."""

    @property
    def host_id(self) -> str: ...

    @property
    def active_sessions(self) -> int: ...


_live_sources: weakref.WeakSet[LiveSessionSource] = weakref.WeakSet()


def _observe_live(_options: CallbackOptions) -> Iterable[Observation]:
    for source in list(_live_sources):
        yield Observation(source.active_sessions, {"triage.host_id": source.host_id})


_meter.create_observable_gauge(
    "triage.sessions.live",
    callbacks=[_observe_live],
    unit="1",
    description="Calls on this media host now",
)


def track_live_sessions(source: LiveSessionSource) -> None:
    """Report `source`'s live calls on the ``triage.sessions.live`` gauge while it exists."""
    _live_sources.add(source)


def record_session_end(status: str) -> None:
    """Count a call's end under the counter its terminal status belongs to."""
    if status == "completed":
        sessions_completed.add(1)
    elif status == "failed":
        sessions_failed.add(1)
    else:
        sessions_ended.add(1, {"status": status})


def count_storage_retry(reason: str) -> None:
    storage_retries.add(1, {"triage.retry_reason": reason})


def elapsed_ms(start_s: float, end_s: float) -> float:
    """Milliseconds between two monotonic readings (never negative)."""
    return max(0.0, (end_s - start_s) * 1000.0)
