"""Metrics a call records through its event sink and its end (real Azurite behind the sink)."""

from __future__ import annotations

from media_host.call_events import CallEventSink
from shared import metrics
from shared.events import NewEvent, RedFlag
from shared.storage import EventLog, EventLogWriter, SessionStore, TableStore
from tests.media_host.support import create_session, host_settings
from tests.support.telemetry import TelemetryCapture


def red_flags_for(telemetry: TelemetryCapture, rule_id: str) -> float:
    return sum(
        p.value
        for p in telemetry.metric_points().get("triage.red_flags", [])
        if p.attributes.get("triage.rule_id") == rule_id
    )


async def test_a_red_flag_event_counts_under_its_rule_and_level(
    azurite, table_prefix, telemetry: TelemetryCapture
) -> None:
    settings = host_settings(azurite.connection_string, table_prefix)
    async with TableStore.from_settings(settings.storage) as store:
        sessions = SessionStore(store)
        session_id = await create_session(sessions)
        writer = EventLogWriter(EventLog(store), session_id)
        sink = CallEventSink(session_id, writer, sessions)
        before = red_flags_for(telemetry, "test_rule_thunderclap")
        flag = RedFlag(
            rule_id="test_rule_thunderclap", level="emergency", title="t", advice="call now"
        )
        await sink.emit(NewEvent(data=flag))
        await sink.aclose()
    assert red_flags_for(telemetry, "test_rule_thunderclap") == before + 1
    [point] = [
        p
        for p in telemetry.metric_points()["triage.red_flags"]
        if p.attributes.get("triage.rule_id") == "test_rule_thunderclap"
    ]
    assert point.attributes["level"] == "emergency"


def test_a_call_end_counts_under_its_status(telemetry: TelemetryCapture) -> None:
    names = ("triage.sessions.completed", "triage.sessions.failed", "triage.sessions.ended")
    before = {name: telemetry.total(name) for name in names}
    for status in ("completed", "failed", "failed", "expired"):
        metrics.record_session_end(status)
    after = {name: telemetry.total(name) for name in names}
    assert after["triage.sessions.completed"] == before["triage.sessions.completed"] + 1
    assert after["triage.sessions.failed"] == before["triage.sessions.failed"] + 2
    assert after["triage.sessions.ended"] == before["triage.sessions.ended"] + 1
