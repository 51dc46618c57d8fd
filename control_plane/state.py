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
from shared.web_pubsub import WebPubSub


@dataclass
class AppState:
    settings: ControlPlaneSettings
    store: TableStore
    sessions: SessionStore
    events: EventLog
    hosts: MediaHostRegistry
    relay: MediaHostRelay
    admission: Admission
    # Azure Web PubSub (negotiate + publish), when the deployment configures it.
    web_pubsub: WebPubSub | None = None
    # False inside Azure Functions, which cannot hold the API's own WebSocket.
    serves_websockets: bool = True
    host_watch: HostWatch = field(init=False)

    def __post_init__(self) -> None:
        self.host_watch = HostWatch(self)

    @classmethod
    def build(
        cls,
        settings: ControlPlaneSettings,
        store: TableStore,
        relay: MediaHostRelay,
        *,
        web_pubsub: WebPubSub | None = None,
        serves_websockets: bool = True,
    ) -> AppState:
        return cls(
            settings=settings,
            store=store,
            sessions=SessionStore(store),
            events=EventLog(store),
            hosts=MediaHostRegistry(store),
            relay=relay,
            admission=Admission(settings),
            web_pubsub=web_pubsub,
            serves_websockets=serves_websockets,
        )

    async def announce_status(self, record: SessionRecord) -> None:
        """Append the ``status_update`` event for a status the control plane just set, then
        publish it to the session's Web PubSub group (best-effort: clients refill from the log)."""
        event = NewEvent(data=StatusUpdate(status=record.status, detail=record.status_detail))
        stored = await self.events.append(record.session_id, [event])
        if self.web_pubsub is not None:
            await self.web_pubsub.publish_quietly(record.session_id, stored)

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
