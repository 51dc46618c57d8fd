"""What the app holds between requests: storage handles, the relay, the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import FastAPI, Request

from control_plane.admission import Admission
from control_plane.host_watch import HostWatch
from control_plane.relay import MediaHostRelay
from control_plane.settings import ControlPlaneSettings
from shared.events import NewEvent, StatusUpdate
from shared.storage import EventLog, MediaHostRegistry, SessionRecord, SessionStore, TableStore


@dataclass
class AppState:
    settings: ControlPlaneSettings
    store: TableStore
    sessions: SessionStore
    events: EventLog
    hosts: MediaHostRegistry
    relay: MediaHostRelay
    admission: Admission
    host_watch: HostWatch = field(init=False)

    def __post_init__(self) -> None:
        self.host_watch = HostWatch(self)

    @classmethod
    def build(
        cls, settings: ControlPlaneSettings, store: TableStore, relay: MediaHostRelay
    ) -> AppState:
        return cls(
            settings=settings,
            store=store,
            sessions=SessionStore(store),
            events=EventLog(store),
            hosts=MediaHostRegistry(store),
            relay=relay,
            admission=Admission(settings),
        )

    async def announce_status(self, record: SessionRecord) -> None:
        """Append the ``status_update`` event for a status the control plane just set."""
        event = NewEvent(data=StatusUpdate(status=record.status, detail=record.status_detail))
        await self.events.append(record.session_id, [event])

    async def expire_if_due(self, record: SessionRecord) -> SessionRecord:
        """Persist (and announce, once) the expiry of a session past its ``expires_at``."""
        if record.status.is_terminal or datetime.now(UTC) < record.expires_at:
            return record
        expired, changed = await self.sessions.try_expire(record.session_id)
        if changed:
            await self.announce_status(expired)
        return expired


def app_state_of(app: FastAPI) -> AppState:
    state = app.state.triage
    assert isinstance(state, AppState), "the app lifespan did not run"
    return state


def app_state(request: Request) -> AppState:
    return app_state_of(request.app)
