"""Configuration of one media host process (no environment reading outside `from_env`).

Environment variables read by :meth:`MediaHostSettings.from_env` (besides the shared ones in
:mod:`shared.config`: storage, ICE/TURN, ``TRIAGE_MEDIA_HOST_KEY``):

- ``TRIAGE_MEDIA_HOST_ID`` — registry id (default: ``<hostname>-<port>``).
- ``TRIAGE_MEDIA_HOST_BIND`` / ``TRIAGE_MEDIA_HOST_PORT`` — listen address (127.0.0.1:8080).
- ``TRIAGE_MEDIA_HOST_INTERNAL_URL`` — the URL the control plane reaches this host at
  (default ``http://<bind>:<port>``).
- ``TRIAGE_MEDIA_HOST_CAPACITY`` — concurrent calls accepted (default 15).
- ``TRIAGE_MEDIA_HOST_HEARTBEAT_S`` — registry heartbeat period (default 5 s).
- ``TRIAGE_ICE_DISCONNECT_GRACE_S`` — how long media may be silent/disconnected before the call
  fails (default 10 s).
- ``TRIAGE_ICE_TRANSPORT_POLICY`` — ``all`` (local) or ``relay`` (production behind TURN).
- ``TRIAGE_DATACHANNEL_MAX_BYTES`` — largest accepted data-channel message (default 4096).
- ``TRIAGE_WEB_PUBSUB_ENDPOINT`` / ``TRIAGE_WEB_PUBSUB_HUB`` — Azure Web PubSub, to publish every
  committed event to the session's group (:mod:`shared.web_pubsub`); unset = not published.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from media_host.intake_agent.settings import AgentSettings
from media_host.realtime.settings import RealtimeSettings
from shared.config import IceSettings, MediaHostLinkSettings, StorageSettings
from shared.web_pubsub import WebPubSubSettings


class MediaHostSettings(BaseModel):
    """Everything a media host needs, grouped; constructed by the entry point or by tests.

    Attributes:
        host_id: Id under which this host registers in the ``mediahosts`` table.
        bind_host: Interface the internal HTTP API listens on.
        bind_port: TCP port of the internal HTTP API (0 = pick a free one; tests).
        internal_url: Base URL the control plane uses to reach this host.
        capacity: Concurrent calls; an offer beyond it gets 503 ``host_full``.
        heartbeat_interval_s: Registry heartbeat period.
        drain_timeout_s: On shutdown, how long running calls may continue before being handed over.
        ice_connect_timeout_s: How long after the answer ICE/DTLS may take to connect.
        ice_disconnect_grace_s: How long inbound media may stop (network loss) before the call
            fails; aiortc has no "disconnected" state, so the host watches the media itself.
        ice_transport_policy: ``relay`` restricts the host to TURN-relayed candidates.
        max_datachannel_message_bytes: Larger browser messages are refused with an error.
        max_typed_text_chars: Longest typed patient message accepted.
        playback_buffer_ms: Bound of model audio buffered for playback per call.
        ended_sessions_remembered: How many ended session ids are kept to answer 409
            ``session_ended`` without a storage read.
        storage: Table Storage access (event log, sessions, registry).
        link: The shared key of the internal API.
        ice: STUN/TURN configuration (TURN credentials are minted per session).
        realtime: Where the realtime model is and how the bridge talks to it.
        web_pubsub: Azure Web PubSub, where committed events are also published (Azure).
        agent: The intake agent (extraction backend, limits, checkpoint table). Its interview
            state is checkpointed in Table Storage (same account as ``storage``) so another host
            can resume a session after a crash.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    host_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    bind_host: str = "127.0.0.1"
    bind_port: int = Field(default=8080, ge=0, le=65535)
    internal_url: str | None = None

    capacity: int = Field(default=15, ge=0, le=10_000)
    heartbeat_interval_s: float = Field(default=5.0, gt=0, le=300)
    drain_timeout_s: float = Field(default=30.0, ge=0, le=3600)

    ice_connect_timeout_s: float = Field(default=20.0, gt=0, le=300)
    ice_disconnect_grace_s: float = Field(default=10.0, gt=0, le=300)
    ice_transport_policy: Literal["all", "relay"] = "all"

    max_datachannel_message_bytes: int = Field(default=4096, ge=256, le=65_536)
    max_typed_text_chars: int = Field(default=2000, ge=1, le=8000)
    playback_buffer_ms: int = Field(default=60_000, ge=1_000, le=600_000)
    ended_sessions_remembered: int = Field(default=10_000, ge=1, le=1_000_000)

    storage: StorageSettings
    link: MediaHostLinkSettings
    ice: IceSettings = Field(default_factory=IceSettings)
    realtime: RealtimeSettings = Field(default_factory=RealtimeSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    web_pubsub: WebPubSubSettings | None = None

    @property
    def advertised_url(self) -> str:
        """The base URL registered for the control plane."""
        return self.internal_url or f"http://{self.bind_host}:{self.bind_port}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> MediaHostSettings:
        """Build settings from environment variables (see the module docstring)."""
        port = int(environ.get("TRIAGE_MEDIA_HOST_PORT", "8080"))
        default_id = f"{socket.gethostname()}-{port}".replace("_", "-")[:64]
        values: dict[str, object] = {
            "host_id": environ.get("TRIAGE_MEDIA_HOST_ID") or default_id,
            "bind_host": environ.get("TRIAGE_MEDIA_HOST_BIND", "127.0.0.1"),
            "bind_port": port,
            "internal_url": environ.get("TRIAGE_MEDIA_HOST_INTERNAL_URL") or None,
            "storage": StorageSettings.from_env(environ),
            "link": MediaHostLinkSettings.from_env(environ),
            "ice": IceSettings.from_env(environ),
            "realtime": RealtimeSettings.from_env(environ),
            "agent": AgentSettings.from_env(environ),
            "web_pubsub": WebPubSubSettings.from_env(environ),
        }
        optional = {
            "capacity": "TRIAGE_MEDIA_HOST_CAPACITY",
            "heartbeat_interval_s": "TRIAGE_MEDIA_HOST_HEARTBEAT_S",
            "drain_timeout_s": "TRIAGE_MEDIA_HOST_DRAIN_TIMEOUT_S",
            "ice_connect_timeout_s": "TRIAGE_ICE_CONNECT_TIMEOUT_S",
            "ice_disconnect_grace_s": "TRIAGE_ICE_DISCONNECT_GRACE_S",
            "ice_transport_policy": "TRIAGE_ICE_TRANSPORT_POLICY",
            "max_datachannel_message_bytes": "TRIAGE_DATACHANNEL_MAX_BYTES",
        }
        for field, name in optional.items():
            if environ.get(name):
                values[field] = environ[name]
        return cls.model_validate(values)
