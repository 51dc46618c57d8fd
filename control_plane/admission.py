"""Who may create sessions and send offers, and how often.

Creating a session costs no media capacity (a host slot is taken when the offer arrives), so the
things worth limiting are the two calls an abuser would repeat:

* **per-client rate limits** on ``POST /sessions`` and ``POST …/offer`` (moving window, counted
  by the ``limits`` library): over the limit → 429 ``rate_limited`` with ``Retry-After``;
* **an optional front-end credential** for deployments where a portal creates sessions
  server-side: with ``create_session_key`` set, a create must carry it in
  :data:`CREATE_KEY_HEADER` (compared in constant time). A request with the right key is not
  counted per address: every patient of a portal arrives from the portal's address, and the
  portal limits its own users.

The "client" is the socket peer address. Only when ``trusted_proxy_count`` is N > 0 is the
address taken from ``X-Forwarded-For``: the N-th entry from the right, i.e. the address the
outermost trusted proxy saw (entries further left are whatever the client claimed). IPv6
clients are counted per /64, which is what one subscriber usually gets. The address is only ever
used as a counter key, hashed; it is never logged.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from typing import Final

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.aio.storage import MovingWindowSupport, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from control_plane.settings import ControlPlaneSettings
from shared.problems import TooManyRequests, Unauthorized
from shared.tokens import keys_match

CREATE_KEY_HEADER: Final = "X-Intake-Create-Key"
_FORWARDED_FOR: Final = "x-forwarded-for"
_MAX_FORWARDED_CHARS: Final = 2_000
_UNKNOWN: Final = "unknown"  # no peer address (e.g. an in-process test transport)


def client_address(request: Request, trusted_proxy_count: int) -> str:
    """The caller's network address as a counting key (see module docstring); never logged."""
    peer = request.client.host if request.client else _UNKNOWN
    if trusted_proxy_count <= 0:
        return _normalise(peer) or _UNKNOWN
    header = ",".join(request.headers.getlist(_FORWARDED_FOR))[:_MAX_FORWARDED_CHARS]
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    if len(hops) < trusted_proxy_count:
        # Fewer hops than proxies: the request did not come through all of them.
        return _normalise(peer) or _UNKNOWN
    return _normalise(hops[-trusted_proxy_count]) or _normalise(peer) or _UNKNOWN


def _normalise(address: str) -> str | None:
    """The address (IPv6: its /64), or None when it is not an IP address."""
    candidate = address
    if candidate.startswith("[") and "]" in candidate:  # [v6]:port
        candidate = candidate[1 : candidate.index("]")]
    elif candidate.count(":") == 1:  # v4:port
        candidate = candidate.split(":", 1)[0]
    try:
        parsed = ipaddress.ip_address(candidate)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def _storage_uri(uri: str) -> str:
    return uri if uri.startswith("async+") else "async+" + uri


class Admission:
    """The rate limiter and the create credential of one API process."""

    def __init__(self, settings: ControlPlaneSettings) -> None:
        self._settings = settings
        storage = storage_from_string(_storage_uri(settings.rate_limit_storage))
        if not isinstance(storage, Storage) or not isinstance(storage, MovingWindowSupport):
            raise ValueError("the rate-limit storage must be an async moving-window storage")
        self._limiter = MovingWindowRateLimiter(storage)
        self._create_limits = parse_many(settings.create_rate_limit)
        self._offer_limits = parse_many(settings.offer_rate_limit)
        key = settings.create_session_key
        self._create_key = key.get_secret_value() if key is not None else None

    @property
    def requires_create_key(self) -> bool:
        return self._create_key is not None

    async def admit_create(self, request: Request, create_key: str | None) -> None:
        """Check the front-end credential (when configured) and the per-client create limit.

        Raises:
            Unauthorized: the create key is required and missing or wrong (code
                ``invalid_create_key``).
            TooManyRequests: the client is over its create limit (``rate_limited``).
        """
        if self._create_key is not None:
            if not keys_match(create_key, self._create_key):
                raise Unauthorized(
                    f"creating a session requires the front-end key in {CREATE_KEY_HEADER}",
                    code="invalid_create_key",
                )
            return  # the portal limits its own users (module docstring)
        await self._hit("create", self._create_limits, request)

    async def admit_offer(self, request: Request) -> None:
        """The per-client offer limit (an offer takes a media-host slot).

        Raises:
            TooManyRequests: the client is over its offer limit (``rate_limited``).
        """
        await self._hit("offer", self._offer_limits, request)

    async def _hit(self, what: str, items: list[RateLimitItem], request: Request) -> None:
        address = client_address(request, self._settings.trusted_proxy_count)
        key = hashlib.sha256(address.encode("utf-8")).hexdigest()[:32]
        for item in items:
            if not await self._limiter.hit(item, what, key):
                stats = await self._limiter.get_window_stats(item, what, key)
                retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                raise TooManyRequests(
                    f"too many {what} requests from this client; retry in {retry_after} s",
                    headers={"Retry-After": str(retry_after)},
                )
