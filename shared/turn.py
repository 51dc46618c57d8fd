"""ICE server lists with time-limited TURN credentials (coturn "TURN REST API" scheme).

coturn's ``use-auth-secret`` mode accepts any username of the form ``<expiry_unix>:<anything>``
whose password is ``base64(HMAC-SHA1(static-auth-secret, username))`` while ``expiry_unix`` is in
the future, so the control plane mints credentials without talking to the TURN server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

from shared.config import IceSettings
from shared.signaling import IceServer


def turn_credentials(
    *, session_id: str, secret: str, ttl_seconds: int, now: datetime
) -> tuple[str, str]:
    """Return ``(username, password)`` valid for ``ttl_seconds`` from ``now``."""
    expiry = int(now.timestamp()) + ttl_seconds
    username = f"{expiry}:{session_id}"
    digest = hmac.new(secret.encode("utf-8"), username.encode("utf-8"), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


def ice_servers_for(
    session_id: str, settings: IceSettings, now: datetime | None = None
) -> list[IceServer]:
    """The RTCConfiguration ``iceServers`` for one session.

    STUN URLs come as one entry without credentials. TURN URLs are included only when a secret is
    configured (a TURN server without credentials would be an open relay, so it is never offered).
    """
    servers: list[IceServer] = []
    if settings.stun_urls:
        servers.append(IceServer(urls=list(settings.stun_urls)))
    if settings.turn_urls and settings.turn_secret is not None:
        username, password = turn_credentials(
            session_id=session_id,
            secret=settings.turn_secret.get_secret_value(),
            ttl_seconds=settings.turn_ttl_seconds,
            now=now or datetime.now(UTC),
        )
        servers.append(
            IceServer(urls=list(settings.turn_urls), username=username, credential=password)
        )
    return servers
