"""Control-plane settings: one object built by the entry point, passed to ``create_app``.

Environment variables (besides the shared ones in :mod:`shared.config`):

======================================= ========= ===========================================
Variable                                Default   Meaning
======================================= ========= ===========================================
``TRIAGE_SUPPORTED_LANGUAGES``          ``en,es`` BCP-47 tags accepted as ``user_language``
``TRIAGE_SESSION_TTL_SECONDS``          1800      session lifetime
``TRIAGE_MEDIA_HOST_FRESHNESS_SECONDS`` 30        a host's heartbeat must be this recent
``TRIAGE_RELAY_CONNECT_TIMEOUT_SECONDS`` 2        connect timeout to a media host
``TRIAGE_RELAY_READ_TIMEOUT_SECONDS``   10        read timeout of a media host call
``TRIAGE_LONG_POLL_MAX_SECONDS``        25        upper bound of ``?wait=``
``TRIAGE_SSE_HEARTBEAT_SECONDS``        15        idle SSE comment interval
``TRIAGE_SSE_MAX_STREAM_SECONDS``       200       the server closes a stream after this (the
                                                  browser resumes with Last-Event-ID); stays
                                                  under the Functions 230 s HTTP limit
``TRIAGE_STREAM_TICKET_TTL_SECONDS``    60        lifetime of a stream ticket (``?ticket=``)
``TRIAGE_EVENTS_PAGE_SIZE``             500       max events per long-poll response
``TRIAGE_CORS_ORIGINS``                 (none)    browser origins allowed under uvicorn (on
                                                  Functions the host's CORS setting applies)
``TRIAGE_CREATE_RATE_LIMIT``            5/minute  session creates one client may make (moving
                                                  window, ``limits`` notation; ``;`` joins
                                                  several, e.g. ``5/minute;30/hour``)
``TRIAGE_OFFER_RATE_LIMIT``             10/minute offers one client may send
``TRIAGE_RATE_LIMIT_STORAGE``           memory:// where the counters live (``memory://`` is
                                                  per API process; a ``redis://`` URI shares
                                                  them between instances)
``TRIAGE_TRUSTED_PROXY_COUNT``          0         proxies in front of the API that append to
                                                  ``X-Forwarded-For``; 0 = the socket peer is
                                                  the client
``TRIAGE_CREATE_SESSION_KEY``           (none)    when set, creating a session requires it in
                                                  ``X-Intake-Create-Key`` (portal mode)
``TRIAGE_HOST_DEAD_AFTER_SECONDS``      15        a host whose heartbeat is older (and that
                                                  fails a health probe) is dead: its live
                                                  sessions go ``reconnecting``
``TRIAGE_HOST_SWEEP_SECONDS``           5         period of the dead-host sweep (background
                                                  task under uvicorn; 0 = request-driven only)
``TRIAGE_WEB_PUBSUB_ENDPOINT``          (none)    Azure Web PubSub for the event WebSocket
                                                  (negotiate + publish; see
                                                  :mod:`shared.web_pubsub`)
``TRIAGE_WEB_PUBSUB_HUB``               intake    its hub
======================================= ========= ===========================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import limits
from pydantic import BaseModel, Field, SecretStr, field_validator

from shared.config import IceSettings, MediaHostLinkSettings, StorageSettings, csv_env
from shared.web_pubsub import WebPubSubSettings

_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _any_case(literal: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in literal)


class ControlPlaneSettings(BaseModel):
    """Everything the HTTP API needs; no code below the entry point reads the environment."""

    storage: StorageSettings
    ice: IceSettings = Field(default_factory=IceSettings)
    media_host: MediaHostLinkSettings
    supported_languages: list[str] = Field(default_factory=lambda: ["en", "es"], min_length=1)
    session_ttl_s: int = Field(default=1800, ge=60, le=86_400)
    media_host_freshness_s: float = Field(default=30, gt=0, le=600)
    relay_connect_timeout_s: float = Field(default=2.0, gt=0, le=60)
    relay_read_timeout_s: float = Field(default=10.0, gt=0, le=120)
    long_poll_max_s: float = Field(default=25.0, ge=0, le=120)
    sse_heartbeat_s: float = Field(default=15.0, gt=0, le=120)
    sse_max_stream_s: float = Field(default=200.0, gt=0, le=3600)
    stream_ticket_ttl_s: float = Field(default=60.0, ge=5, le=600)
    events_page_size: int = Field(default=500, ge=1, le=1000)
    poll_min_interval_s: float = Field(default=0.025, gt=0, le=5)
    poll_max_interval_s: float = Field(default=0.1, gt=0, le=5)
    status_check_interval_s: float = Field(default=1.0, gt=0, le=60)
    # how long a feed keeps reading after it saw the session row turn terminal before the
    # terminal event itself is in the log (a media host moves the row, then commits the event)
    end_grace_s: float = Field(default=5.0, ge=0, le=60)
    cors_origins: list[str] = Field(default_factory=list)
    create_rate_limit: str = Field(default="5/minute", max_length=200)
    offer_rate_limit: str = Field(default="10/minute", max_length=200)
    rate_limit_storage: str = Field(default="memory://", max_length=500)
    trusted_proxy_count: int = Field(default=0, ge=0, le=10)
    create_session_key: SecretStr | None = Field(default=None)
    host_dead_after_s: float = Field(default=15.0, gt=0, le=600)
    host_sweep_interval_s: float = Field(default=5.0, ge=0, le=600)
    web_pubsub: WebPubSubSettings | None = None

    @field_validator("create_rate_limit", "offer_rate_limit")
    @classmethod
    def _limit_notation(cls, value: str) -> str:
        try:
            limits.parse_many(value)
        except ValueError as exc:
            raise ValueError(f"not a rate limit such as '5/minute': {value!r}") from exc
        return value

    @field_validator("create_session_key")
    @classmethod
    def _long_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and len(key.get_secret_value()) < 32:
            raise ValueError("the create-session key must be at least 32 characters")
        return key

    @field_validator("supported_languages")
    @classmethod
    def _tags(cls, tags: list[str]) -> list[str]:
        bad = [tag for tag in tags if not _BCP47.match(tag)]
        if bad:
            raise ValueError(f"not BCP-47 language tags: {bad}")
        return [tag.lower() for tag in tags]

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ControlPlaneSettings:
        def num(name: str, default: float) -> float:
            raw = environ.get(name)
            return float(raw) if raw else default

        create_key = environ.get("TRIAGE_CREATE_SESSION_KEY")
        return cls(
            storage=StorageSettings.from_env(environ),
            ice=IceSettings.from_env(environ),
            media_host=MediaHostLinkSettings.from_env(environ),
            supported_languages=csv_env(environ, "TRIAGE_SUPPORTED_LANGUAGES", ["en", "es"]),
            session_ttl_s=int(num("TRIAGE_SESSION_TTL_SECONDS", 1800)),
            media_host_freshness_s=num("TRIAGE_MEDIA_HOST_FRESHNESS_SECONDS", 30),
            relay_connect_timeout_s=num("TRIAGE_RELAY_CONNECT_TIMEOUT_SECONDS", 2.0),
            relay_read_timeout_s=num("TRIAGE_RELAY_READ_TIMEOUT_SECONDS", 10.0),
            long_poll_max_s=num("TRIAGE_LONG_POLL_MAX_SECONDS", 25.0),
            sse_heartbeat_s=num("TRIAGE_SSE_HEARTBEAT_SECONDS", 15.0),
            sse_max_stream_s=num("TRIAGE_SSE_MAX_STREAM_SECONDS", 200.0),
            stream_ticket_ttl_s=num("TRIAGE_STREAM_TICKET_TTL_SECONDS", 60.0),
            events_page_size=int(num("TRIAGE_EVENTS_PAGE_SIZE", 500)),
            cors_origins=csv_env(environ, "TRIAGE_CORS_ORIGINS", []),
            create_rate_limit=environ.get("TRIAGE_CREATE_RATE_LIMIT") or "5/minute",
            offer_rate_limit=environ.get("TRIAGE_OFFER_RATE_LIMIT") or "10/minute",
            rate_limit_storage=environ.get("TRIAGE_RATE_LIMIT_STORAGE") or "memory://",
            trusted_proxy_count=int(num("TRIAGE_TRUSTED_PROXY_COUNT", 0)),
            create_session_key=SecretStr(create_key) if create_key else None,
            host_dead_after_s=num("TRIAGE_HOST_DEAD_AFTER_SECONDS", 15.0),
            host_sweep_interval_s=num("TRIAGE_HOST_SWEEP_SECONDS", 5.0),
            web_pubsub=WebPubSubSettings.from_env(environ),
        )

    def language_pattern(self) -> str:
        """A regular expression matching exactly the tags :meth:`match_language` accepts (the
        OpenAPI document publishes it for ``user_language``)."""
        alternatives = [
            _any_case(tag) + ("" if "-" in tag else r"(?:-[A-Za-z0-9]{2,8})*")
            for tag in self.supported_languages
        ]
        return "^(?:" + "|".join(alternatives) + ")$"

    def match_language(self, tag: str) -> str | None:
        """The supported tag ``tag`` asks for (exact, else by primary subtag), or ``None``.

        ``en-US`` maps to ``en`` when only ``en`` is supported: the intake agent works per
        language, not per region.
        """
        if not _BCP47.fullmatch(tag):
            return None
        lowered = tag.lower()
        if lowered in self.supported_languages:
            return lowered
        primary = lowered.split("-", 1)[0]
        return primary if primary in self.supported_languages else None
